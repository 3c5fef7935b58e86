//! The lock types the tool knows by their full path (std, parking_lot and
//! tokio's `Mutex`, `RwLock` and guards), the names a glob of a known
//! library brings in, and the classification of a resolved path.

/// A lock-related type the tool knows by its full path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LockType {
    Mutex,
    RwLock,
    MutexGuard,
    RwLockReadGuard,
    RwLockWriteGuard,
}

impl LockType {
    pub fn name(self) -> &'static str {
        match self {
            LockType::Mutex => "Mutex",
            LockType::RwLock => "RwLock",
            LockType::MutexGuard => "MutexGuard",
            LockType::RwLockReadGuard => "RwLockReadGuard",
            LockType::RwLockWriteGuard => "RwLockWriteGuard",
        }
    }

    pub const ALL: &'static [LockType] = &[
        LockType::Mutex,
        LockType::RwLock,
        LockType::MutexGuard,
        LockType::RwLockReadGuard,
        LockType::RwLockWriteGuard,
    ];

    pub fn is_guard(self) -> bool {
        !matches!(self, LockType::Mutex | LockType::RwLock)
    }

    pub(super) fn from_name(name: &str) -> Option<LockType> {
        Some(match name {
            "Mutex" => LockType::Mutex,
            "RwLock" => LockType::RwLock,
            "MutexGuard" => LockType::MutexGuard,
            "RwLockReadGuard" => LockType::RwLockReadGuard,
            "RwLockWriteGuard" => LockType::RwLockWriteGuard,
            _ => return None,
        })
    }
}

/// Where a lock type comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    Std,
    ParkingLot,
    Tokio,
}

/// Every name `use std::sync::*` brings in.
pub(super) const STD_SYNC: &[&str] = &[
    "Arc",
    "Barrier",
    "BarrierWaitResult",
    "Condvar",
    "Exclusive",
    "LazyLock",
    "LockResult",
    "MappedMutexGuard",
    "MappedRwLockReadGuard",
    "MappedRwLockWriteGuard",
    "Mutex",
    "MutexGuard",
    "ONCE_INIT",
    "Once",
    "OnceLock",
    "OnceState",
    "PoisonError",
    "ReentrantLock",
    "ReentrantLockGuard",
    "RwLock",
    "RwLockReadGuard",
    "RwLockWriteGuard",
    "TryLockError",
    "TryLockResult",
    "WaitTimeoutResult",
    "Weak",
    "atomic",
    "mpmc",
    "mpsc",
    "nonpoison",
    "poison",
];

/// Every name `use parking_lot::*` brings in.
pub(super) const PARKING_LOT: &[&str] = &[
    "Condvar",
    "FairMutex",
    "FairMutexGuard",
    "MappedFairMutexGuard",
    "MappedMutexGuard",
    "MappedReentrantMutexGuard",
    "MappedRwLockReadGuard",
    "MappedRwLockWriteGuard",
    "Mutex",
    "MutexGuard",
    "ONCE_INIT",
    "Once",
    "OnceState",
    "RawFairMutex",
    "RawMutex",
    "RawRwLock",
    "RawThreadId",
    "ReentrantMutex",
    "ReentrantMutexGuard",
    "RwLock",
    "RwLockReadGuard",
    "RwLockUpgradableReadGuard",
    "RwLockWriteGuard",
    "WaitTimeoutResult",
    "const_fair_mutex",
    "const_mutex",
    "const_reentrant_mutex",
    "const_rwlock",
    "deadlock",
    "lock_api",
];

/// The names a glob from a known library brings in (`None`: any name).
pub fn glob_members(glob: &str) -> Option<&'static [&'static str]> {
    match glob {
        "std::sync" => Some(STD_SYNC),
        "parking_lot" => Some(PARKING_LOT),
        "tokio::sync" => Some(&[
            "AcquireError",
            "Barrier",
            "BarrierWaitResult",
            "MappedMutexGuard",
            "Mutex",
            "MutexGuard",
            "Notify",
            "OnceCell",
            "OwnedMappedMutexGuard",
            "OwnedMutexGuard",
            "OwnedRwLockMappedWriteGuard",
            "OwnedRwLockReadGuard",
            "OwnedRwLockWriteGuard",
            "OwnedSemaphorePermit",
            "RwLock",
            "RwLockMappedWriteGuard",
            "RwLockReadGuard",
            "RwLockWriteGuard",
            "Semaphore",
            "SemaphorePermit",
            "SetError",
            "SetOnce",
            "SetOnceError",
            "TryAcquireError",
            "TryLockError",
            "broadcast",
            "futures",
            "mpsc",
            "oneshot",
            "watch",
        ]),
        _ => None,
    }
}

/// The family and type of a resolved full path, if it is a lock type.
pub fn classify(full: &str) -> Option<(Family, LockType)> {
    let (module, name) = full.rsplit_once("::")?;
    let family = match module {
        "std::sync" | "std::sync::mutex" | "std::sync::poison" => Family::Std,
        "parking_lot" => Family::ParkingLot,
        "tokio::sync" => Family::Tokio,
        _ => return None,
    };
    Some((family, LockType::from_name(name)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_tells_families_apart() {
        assert_eq!(
            classify("std::sync::Mutex"),
            Some((Family::Std, LockType::Mutex))
        );
        assert_eq!(
            classify("tokio::sync::RwLock"),
            Some((Family::Tokio, LockType::RwLock))
        );
        assert_eq!(classify("crate::Mutex"), None);
    }
}
