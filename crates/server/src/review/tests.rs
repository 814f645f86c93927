//! Unit tests of the review API.
