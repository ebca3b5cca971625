use std::collections::HashMap;
use candour_demo::*;
#[test]
fn peek() {
    let t = std::time::Instant::now();
    let plan = generate(Scale::National, 42);
    eprintln!("time {:?}", t.elapsed());
    eprintln!("locations {} providers {} ratings {}", plan.locations.len(), plan.providers.len(), plan.ratings.len());
    let mut by_region: HashMap<String, usize> = HashMap::new();
    for l in &plan.locations { *by_region.entry(format!("{:?}", l.region)).or_default() += 1; }
    eprintln!("{by_region:?}");
    let mut per: HashMap<&str, usize> = HashMap::new();
    for l in &plan.locations { *per.entry(l.provider_id.as_str()).or_default() += 1; }
    let mut sizes: Vec<usize> = per.values().copied().collect(); sizes.sort(); sizes.reverse();
    eprintln!("top sizes {:?} singles {}", &sizes[..15], sizes.iter().filter(|s| **s==1).count());
    for l in plan.locations.iter().take(8) { eprintln!("{} | {} | {:?} | {:?} | {:?} | {:?} | {:?}", l.id, l.name, l.address.one_line(), l.service_types, l.specialisms, l.beds, l.brand_name); }
    for p in plan.providers.iter().take(8) { eprintln!("{} | {} | {:?} {:?}", p.id, p.name, p.sector, p.ownership_type); }
    let mut beds: Vec<u32> = plan.locations.iter().filter_map(|l| l.beds).collect(); beds.sort();
    eprintln!("beds median {} n {}", beds[beds.len()/2], beds.len());
}
