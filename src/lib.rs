//! Einlass: a self-hosted admin web app that brings an organisation's people
//! into its employee app. The layers and what may import what are described
//! in docs/ARCHITECTURE.md: domain (rules) <- models (SQL) <- services (use
//! cases, the only door to the data) <- web (HTTP) + views (templates), with
//! the `Context` below the web layer and the jobs and CLI beside it.

pub mod cli;
pub mod clock;
pub mod config;
pub mod context;
pub mod db;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod mailer;
pub mod models;
pub mod services;
pub mod spreadsheet;
pub mod startup;
pub mod views;
pub mod web;
