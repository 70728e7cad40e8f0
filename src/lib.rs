//! Einlass: a self-hosted admin web app that brings an organisation's people
//! into its employee app. See README.md and docs/ for the product and its
//! decisions; STYLE of the layers: domain (rules) <- models (SQL) <- services
//! (use cases, transactions) <- web (HTTP) + views (templates).

pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod models;
pub mod services;
pub mod startup;
pub mod views;
pub mod web;
