"""The demo data set (`seed_demo`): districts' officials, experts, the municipal office and two
enterprises. The top layer below config.urls: it reads every app and no app imports it."""
