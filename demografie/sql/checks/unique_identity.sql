-- severity: error
-- Each observation identity has exactly one current version. Grouped first by a hash of the
-- identity (grouping 16 M maps took 6.5 s, their hashes 1 s), then exactly, among the few whose
-- hash repeats: a collision costs a second look, never a missed or a false finding.
SELECT source, source_table, source_measure, region_code, ref_date, source_dims, count(*) AS versions
FROM core.current_observations
WHERE hash(source, source_table, source_measure, region_code, ref_date, source_dims) IN (
    SELECT hash(source, source_table, source_measure, region_code, ref_date, source_dims)
    FROM core.current_observations
    GROUP BY ALL
    HAVING count(*) > 1
)
GROUP BY ALL
HAVING count(*) > 1
