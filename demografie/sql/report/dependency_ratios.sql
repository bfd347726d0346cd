-- Youth and old-age dependency ratios of both Länder over time.
SELECT state, ref_date, youth_dependency_ratio, old_age_dependency_ratio, synthetic
FROM marts.age_structure
WHERE region_level = 'land' AND old_age_dependency_ratio IS NOT NULL AND month(ref_date) = 12 AND day(ref_date) = 31
ORDER BY state, ref_date
