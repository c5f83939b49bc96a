//! The matrix cells: a plan's rollout per gemeente.
