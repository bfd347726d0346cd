-- How the marts list what several rows come from, said once. Aggregates: used in GROUP BY queries.
-- The publishers' tables of the rows grouped, each once, in sort order, joined by ', '.
CREATE MACRO core.source_list(source_table) AS string_agg(DISTINCT source_table, ', ' ORDER BY source_table);
-- The census bases of the rows grouped, each once, in sort order, joined by '+' (zensus2011+zensus2022
-- says a figure sums or compares both; one basis alone says it stands on one).
CREATE MACRO core.basis_list(census_basis) AS string_agg(DISTINCT census_basis, '+' ORDER BY census_basis);
