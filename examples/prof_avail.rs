use janji::app::Ctx;
use janji::app::availability::{ListSlots, list_slots};
use janji::domain::Actor;
use std::time::Instant;
fn main() {
    let url = std::env::var("DATABASE_URL").unwrap();
    let org = std::env::var("ORG").unwrap();
    let loc = std::env::var("LOC").unwrap();
    let svc = std::env::var("SVC").unwrap();
    let mut conn = janji::db::connect(&url).unwrap();
    let ctx = Ctx::new(org, Actor::System, chrono::Utc::now());
    let from = ctx.now + chrono::Duration::days(7);
    let to = from + chrono::Duration::days(31);
    let n = 300;
    let (mut t_load, mut t_json) = (0u128, 0u128);
    let mut bytes = 0;
    for _ in 0..n {
        let t = Instant::now();
        let slots = list_slots(
            &mut conn,
            &ctx,
            ListSlots {
                location_id: loc.clone(),
                service_id: svc.clone(),
                from,
                to,
                resource_id: None,
            },
        )
        .unwrap();
        t_load += t.elapsed().as_micros();
        let t = Instant::now();
        let wire: Vec<janji::api::availability::dto::SlotResponse> =
            slots.slots.into_iter().map(Into::into).collect();
        let body = serde_json::to_vec(&wire).unwrap();
        bytes = body.len();
        t_json += t.elapsed().as_micros();
    }
    let (mut t_sched, mut t_find) = (0u128, 0u128);
    for _ in 0..n {
        let t = Instant::now();
        let loaded = janji::repo::schedule::load(
            &mut conn,
            &ctx.schedule_reader(),
            &loc,
            &svc,
            from,
            to,
            None,
        )
        .unwrap();
        t_sched += t.elapsed().as_micros();
        let t = Instant::now();
        let found = janji::domain::availability::find_slots(
            &loaded.schedule(),
            &loaded.needs,
            &loaded.rules,
            from,
            to,
            ctx.now,
            Default::default(),
        );
        std::hint::black_box(found);
        t_find += t.elapsed().as_micros();
    }
    let loaded = janji::repo::schedule::load(
        &mut conn,
        &ctx.schedule_reader(),
        &loc,
        &svc,
        from,
        to,
        None,
    )
    .unwrap();
    let sch = loaded.schedule();
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(janji::domain::opening::candidate_starts(
            sch.tz,
            sch.hours,
            from,
            to,
            loaded.rules.step,
        ));
    }
    println!(
        "candidate_starts {} us ({} starts)",
        t.elapsed().as_micros() / n,
        janji::domain::opening::candidate_starts(sch.tz, sch.hours, from, to, loaded.rules.step)
            .len()
    );
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(janji::domain::opening::open_intervals(
            sch.tz, sch.hours, from, to,
        ));
    }
    println!("open_intervals {} us", t.elapsed().as_micros() / n);
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(janji::domain::local_time::LocalDates::new(sch.tz, from, to));
    }
    println!(
        "LocalDates::new {} us; blocks {}",
        t.elapsed().as_micros() / n,
        sch.resources.iter().map(|r| r.busy.len()).sum::<usize>()
    );
    println!(
        "schedule::load {} us, find_slots {} us",
        t_sched / n,
        t_find / n
    );
    println!(
        "list_slots {} us, to wire+json {} us, {} bytes",
        t_load / n,
        t_json / n,
        bytes
    );
}
