"""Historical tickets from CSV: `parse` reads and checks each row, `write` stores the good ones in bulk."""
