-- One hash of all the parts of an observation's identity (one column each in the block).
INSERT INTO identities SELECT hash(*COLUMNS(*)) FROM identity_block;
