-- The Länder this warehouse holds (DEMOGRAFIE_STATES when it was built), with the column that
-- names each in the wide comparison marts and the colour the report and the maps draw it in
-- (demografie/laender.csv).
CREATE TABLE meta.states AS
SELECT key AS state, name, "column" AS column_name, colour
FROM configured_states
ORDER BY state;

COMMENT ON TABLE meta.states IS
    'The Länder the warehouse holds (DEMOGRAFIE_STATES when it was built; default 06 Hessen and 14 Sachsen); every mart holds these and no other.';
COMMENT ON COLUMN meta.states.name IS 'The Land''s name as the publishers print it.';
COMMENT ON COLUMN meta.states.column_name IS 'The columns of marts.state_comparison and marts.indicator_comparison that hold the Land (hessen, hessen_derivation, ...).';
COMMENT ON COLUMN meta.states.colour IS 'The colour of the Land in the report and the maps.';
