//! The emulator over real HTTP: lifecycle, gateway behaviour, authentication, rules, jobs, faults.

mod common;

mod auth;
mod faults;
mod gateway;
mod images;
mod jobs;
mod lifecycle;
mod listing;
mod projects;
mod rules;
mod state_rules;
