//! Plan and apply Amazon ECS infrastructure.
