SELECT count(*) - count(DISTINCT h) FROM identities;
