"""The working-day calendar: the official years and their days, the pure arithmetic over them, the
calendar in force for the services, and entering a newly announced year."""
