"""The newsroom: the staff's web workspace at /newsroom/."""
