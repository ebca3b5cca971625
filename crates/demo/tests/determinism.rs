//! The same scale and seed always give the same register; another seed another one.

use candour_demo::{Scale, generate};
use candour_store::ImportPlan;

fn assert_same(a: &ImportPlan, b: &ImportPlan) {
    assert_eq!(a.kind, b.kind);
    assert_eq!(a.origin, b.origin);
    assert_eq!(a.counts, b.counts);
    assert_eq!(a.providers, b.providers);
    assert_eq!(a.locations, b.locations);
    assert_eq!(a.ratings, b.ratings);
}

#[test]
fn the_same_seed_gives_the_same_register() {
    assert_same(&generate(Scale::Small, 7), &generate(Scale::Small, 7));
    assert_same(&generate(Scale::National, 42), &generate(Scale::National, 42));
}

#[test]
fn another_seed_gives_another_register() {
    let a = generate(Scale::Small, 1);
    let b = generate(Scale::Small, 2);
    assert_ne!(a.locations, b.locations);
    assert_ne!(a.providers, b.providers);
    let ids_a: Vec<_> = a.locations.iter().map(|l| &l.id).collect();
    let shared = b.locations.iter().filter(|l| ids_a.contains(&&l.id)).count();
    assert!(shared < 5, "{shared} location IDs in common");
}

#[test]
fn the_plan_describes_itself() {
    let plan = generate(Scale::Small, 42);
    assert_eq!(plan.kind, "demo");
    assert_eq!(plan.origin, "demo:small:seed=42");
    assert_eq!(plan.counts.added, plan.locations.len() as u64);
    assert_eq!(plan.counts.providers_added, plan.providers.len() as u64);
    assert_eq!(plan.counts.ratings_added, plan.ratings.len() as u64);
    assert_eq!(plan.counts.changed + plan.counts.unchanged + plan.counts.ratings_changed, 0);
}
