//! Normalization: fill the defaults AWS fills, so that two definitions AWS treats as equal
//! compare equal.
