-- The identities of a delivery read in blocks, one 64-bit hash per observation, so that a figure
-- that appears in two blocks is found without holding the blocks (16 million rows: 128 MB).
CREATE TABLE identities (h UBIGINT);
