use std::io::Write;

struct Door {
    locked: bool,
}

impl Door {
    fn lock(&mut self) -> Result<(), String> {
        self.locked = true;
        Ok(())
    }

    fn read(&self) -> Option<bool> {
        Some(self.locked)
    }
}

struct Mutex {
    value: u8,
}

impl Mutex {
    fn lock(&self) -> Option<u8> {
        Some(self.value)
    }
}

#[tokio::main]
async fn main() {
    let mut door = Door { locked: false };
    door.lock().unwrap();
    let m = Mutex { value: 3 };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{:?} {:?}", door.read().unwrap(), m.lock().unwrap()).unwrap();
}
