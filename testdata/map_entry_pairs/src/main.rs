use std::collections::BTreeMap;
use std::sync::Mutex;

struct Rooms {
    by_name: BTreeMap<String, Mutex<Vec<String>>>,
    order: Vec<Mutex<u32>>,
}

// `room` and `slot` are the values of the pairs the loops destructure:
// each is one of the field's locks.
async fn report(rooms: &Rooms) -> Vec<String> {
    let mut lines = Vec::new();
    for (name, room) in rooms.by_name.iter() {
        let room = room.lock().unwrap();
        lines.push(format!("{name}: {}", room.len()));
    }
    for (i, slot) in rooms.order.iter().enumerate() {
        *slot.lock().unwrap() += 1;
        lines.push(format!("slot {i}: {}", slot.lock().unwrap()));
    }
    lines
}

#[tokio::main]
async fn main() {
    let mut by_name = BTreeMap::new();
    by_name.insert("lobby".to_string(), Mutex::new(vec!["hi".to_string()]));
    by_name.insert("rust".to_string(), Mutex::new(Vec::new()));
    let rooms = Rooms {
        by_name,
        order: vec![Mutex::new(0), Mutex::new(10)],
    };
    for line in report(&rooms).await {
        println!("{line}");
    }
}
