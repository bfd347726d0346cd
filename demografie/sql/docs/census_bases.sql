-- The census bases the dictionary explains.
SELECT basis, label, census_day, states, evidence FROM meta.census_bases ORDER BY census_day
