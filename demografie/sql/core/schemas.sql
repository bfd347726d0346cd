-- The warehouse's schemas: core (all versions), marts (what analysts read), meta (about the data),
-- geo (boundaries for maps).
CREATE SCHEMA core;
CREATE SCHEMA marts;
CREATE SCHEMA meta;
CREATE SCHEMA geo;
