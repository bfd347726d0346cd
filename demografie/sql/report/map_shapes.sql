-- The boundaries of the Länder $states, and the edition they come from (none: no map).
SELECT b.region_code, b.region_level, b.state, b.name, b.geometry, e.gebietsstand, e.retrieved_at, e.attribution
FROM geo.boundaries AS b, geo.edition AS e
WHERE list_contains($states, b.state)
ORDER BY b.region_level DESC, b.region_code
