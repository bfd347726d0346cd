-- Youth and old-age dependency ratios of the Länder $states over time, with the census basis of each
-- point (the chart draws each basis as a series of its own).
SELECT state, ref_date, youth_dependency_ratio, old_age_dependency_ratio, census_basis, synthetic
FROM marts.age_structure
WHERE region_level = 'land' AND list_contains($states, state) AND old_age_dependency_ratio IS NOT NULL
  AND month(ref_date) = 12 AND day(ref_date) = 31
ORDER BY state, ref_date
