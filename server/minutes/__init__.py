"""Minutes (biên bản): drafted from the record, rendered in the decree's layout, signed."""
