-- Each service owns its database.
CREATE DATABASE gateway;
CREATE DATABASE listings;
CREATE DATABASE matching;
CREATE DATABASE ledger;
