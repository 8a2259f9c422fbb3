//! The emulator over real HTTP: lifecycle, gateway behaviour, authentication, rules, jobs, faults.

mod common;

mod auth;
mod data_image_file;
mod faults;
mod gateway;
mod image_changes;
mod images;
mod jobs;
mod lifecycle;
mod listing;
mod projects;
mod quick_import;
mod rules;
mod state_rules;
mod whole;
