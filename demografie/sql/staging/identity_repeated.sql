-- Identities seen more than once. A grouped aggregate (unlike count(DISTINCT)) spills to the
-- temporary directory past the ledger's memory limit.
SELECT coalesce(sum(seen - 1), 0) FROM (SELECT count(*) AS seen FROM identities GROUP BY h HAVING count(*) > 1);
