INSERT INTO identities SELECT hash(identity) FROM identity_block;
