"""Documents written from the warehouse for people: the data dictionary and the visual report."""
