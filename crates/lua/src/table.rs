//! Lua tables: an array part and a hash part sized by Lua 5.1's own rules, so that `#t`
//! gives the border lua5.1 gives for the usual tables with holes.
//!
//! The array part holds keys `1..=sizearray` (possibly nil). The hash part holds everything
//! else in a vector of nodes in insertion order, found through an open-addressing index of
//! twice its capacity. Its capacity plays Lua's `sizenode`: a power of two, and inserting
//! a new key into a full hash part triggers Lua's `rehash`, which counts the integer keys
//! and picks the largest power of two `n` such that more than half of `1..n` is used as the
//! new array size (`computesizes`), everything else going to a hash part sized to fit. The
//! constructor's size hints (`OP_NEWTABLE`'s B and C) give the initial sizes, as in Lua.
//! With the same sizes, `#` runs Lua's `luaH_getn` (binary search in the array part, or the
//! unbounded search in the hash part) and lands on the same border.
//!
//! One deliberate difference: Lua reuses a node whose value became nil when a new key hashes
//! onto it, and `t[k] = nil` for an absent `k` plants a node; here dead nodes stay until the
//! next rehash and assigning nil to an absent key does nothing. Both only move the moment
//! of a rehash in tables whose keys were deleted.
//!
//! `next` walks the array part, then the nodes in insertion order: deterministic on every
//! platform (not C Lua's order). A key whose value is set to nil keeps its node, so clearing
//! fields during a traversal is allowed, as in Lua.

use crate::value::{TableRef, Value};

/// Lua 5.1's `MAXBITS`: the array part and the hash part hold at most 2^26 slots each.
pub const MAXBITS: usize = 26;
pub const MAXASIZE: usize = 1 << MAXBITS;

const TABLE_BYTES: usize = 80;
const VALUE_BYTES: usize = 16;
const NODE_BYTES: usize = 32;
const INDEX_BYTES: usize = 4;

#[derive(Clone, Copy)]
pub(crate) struct Node {
    pub key: Value,
    pub val: Value,
}

/// Why a store into a table failed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SetError {
    NilKey,
    NanKey,
    /// Growing would pass the memory limit (the table is unchanged).
    Memory,
    /// The hash part would need more than 2^26 nodes.
    Overflow,
}

pub(crate) struct Table {
    pub arr: Vec<Value>,
    nodes: Vec<Node>,
    /// 0 = empty slot, else index into `nodes` + 1. Twice `node_cap` long (or empty).
    index: Vec<u32>,
    node_cap: usize,
    pub meta: Option<TableRef>,
    /// Metamethods known to be absent when this table is a metatable (Lua's `flags`): bit
    /// `i` for the first five tag methods. Cleared by every store.
    pub flags: u8,
    /// Redis's read-only tables: stores raise "Attempt to modify a readonly table".
    pub readonly: bool,
}

#[inline]
fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x
}

#[inline]
fn hash_key(k: &Value) -> u64 {
    match *k {
        Value::Num(n) => mix(if n == 0.0 { 0 } else { n.to_bits() }),
        Value::Str(s) => mix(u64::from(s.0) | (1 << 40)),
        Value::Bool(b) => mix(u64::from(b) | (2 << 40)),
        Value::Table(t) => mix(u64::from(t.0) | (3 << 40)),
        Value::Func(f) => mix(u64::from(f.0) | (4 << 40)),
        Value::Thread(t) => mix(u64::from(t.0) | (5 << 40)),
        Value::UserData(u) => mix(u64::from(u.0) | (6 << 40)),
        Value::LightUserData(p) => mix(p as u64 ^ (7 << 56)),
        Value::Nil => 0,
    }
}

/// `k` as an array index when it is a number with an integer value.
#[inline]
fn as_index(n: f64) -> Option<usize> {
    let i = n as i64;
    if i as f64 == n && i >= 1 {
        Some(i as usize)
    } else {
        None
    }
}

/// ceil(log2(x)) for x >= 1.
fn ceil_log2(x: usize) -> usize {
    (usize::BITS - (x - 1).leading_zeros()) as usize
}

impl Table {
    /// Lua's `luaH_new(narray, nhash)`.
    pub fn new(narray: usize, nhash: usize) -> Table {
        let mut t = Table {
            arr: Vec::new(),
            nodes: Vec::new(),
            index: Vec::new(),
            node_cap: 0,
            meta: None,
            flags: 0xff,
            readonly: false,
        };
        t.arr = vec![Value::Nil; narray];
        t.set_node_cap(if nhash == 0 { 0 } else { 1 << ceil_log2(nhash) });
        t
    }

    /// The bytes a table of these sizes is counted for.
    pub fn bytes_for(narray: usize, node_cap: usize) -> usize {
        TABLE_BYTES + narray * VALUE_BYTES + node_cap * (NODE_BYTES + 2 * INDEX_BYTES)
    }

    /// The bytes this table is counted for in the heap's memory model.
    pub fn mem(&self) -> usize {
        Table::bytes_for(self.arr.capacity(), self.node_cap)
    }

    fn set_node_cap(&mut self, cap: usize) {
        self.node_cap = cap;
        self.nodes = Vec::with_capacity(cap);
        self.index = vec![0; cap * 2];
    }

    #[inline]
    fn find(&self, key: &Value) -> Option<usize> {
        if self.node_cap == 0 {
            return None;
        }
        let mask = self.index.len() - 1;
        let mut h = hash_key(key) as usize & mask;
        loop {
            let slot = self.index[h];
            if slot == 0 {
                return None;
            }
            let n = (slot - 1) as usize;
            if self.nodes[n].key == *key {
                return Some(n);
            }
            h = (h + 1) & mask;
        }
    }

    fn index_insert(&mut self, key: &Value, node: usize) {
        let mask = self.index.len() - 1;
        let mut h = hash_key(key) as usize & mask;
        while self.index[h] != 0 {
            h = (h + 1) & mask;
        }
        self.index[h] = node as u32 + 1;
    }

    /// Raw get (`rawget`).
    #[inline]
    pub fn get(&self, key: Value) -> Value {
        match key {
            Value::Num(n) => self.get_num(n),
            Value::Nil => Value::Nil,
            _ => match self.find(&key) {
                Some(i) => self.nodes[i].val,
                None => Value::Nil,
            },
        }
    }

    #[inline]
    pub fn get_num(&self, n: f64) -> Value {
        if let Some(i) = as_index(n) {
            if i <= self.arr.len() {
                return self.arr[i - 1];
            }
        }
        match self.find(&Value::Num(n)) {
            Some(i) => self.nodes[i].val,
            None => Value::Nil,
        }
    }

    #[inline]
    pub fn get_int(&self, i: usize) -> Value {
        if i >= 1 && i <= self.arr.len() {
            return self.arr[i - 1];
        }
        match self.find(&Value::Num(i as f64)) {
            Some(n) => self.nodes[n].val,
            None => Value::Nil,
        }
    }

    /// Raw set (`rawset`). `room` is how many more bytes the heap may count for this table;
    /// a store that would need a bigger table fails with [`SetError::Memory`] and changes
    /// nothing.
    pub fn set(&mut self, key: Value, val: Value, room: usize) -> Result<(), SetError> {
        self.flags = 0;
        let key = match key {
            Value::Num(n) => {
                if let Some(i) = as_index(n) {
                    if i <= self.arr.len() {
                        self.arr[i - 1] = val;
                        return Ok(());
                    }
                }
                if n.is_nan() {
                    return Err(SetError::NanKey);
                }
                // -0 and 0 are one key (they hash alike and compare equal), but the key
                // keeps the sign it was first stored with, as in C Lua.
                Value::Num(n)
            }
            Value::Nil => return Err(SetError::NilKey),
            k => k,
        };
        if let Some(i) = self.find(&key) {
            self.nodes[i].val = val;
            return Ok(());
        }
        if val.is_nil() {
            return Ok(());
        }
        if self.nodes.len() >= self.node_cap {
            self.rehash(&key, room)?;
            // The key may now belong to the array part.
            if let Value::Num(n) = key {
                if let Some(i) = as_index(n) {
                    if i <= self.arr.len() {
                        self.arr[i - 1] = val;
                        return Ok(());
                    }
                }
            }
        }
        self.push_node(key, val);
        Ok(())
    }

    fn push_node(&mut self, key: Value, val: Value) {
        let n = self.nodes.len();
        debug_assert!(
            n < self.node_cap,
            "a hash part is never filled past its size"
        );
        self.nodes.push(Node { key, val });
        self.index_insert(&key, n);
    }

    /// Lua's `rehash`: new sizes for both parts counting the live keys and `extra`.
    fn rehash(&mut self, extra: &Value, room: usize) -> Result<(), SetError> {
        let mut nums = [0usize; MAXBITS + 1];
        let mut nasize = self.count_array(&mut nums);
        let mut total = nasize;
        for node in &self.nodes {
            if !node.val.is_nil() {
                nasize += count_int(&node.key, &mut nums);
                total += 1;
            }
        }
        nasize += count_int(extra, &mut nums);
        total += 1;
        let (na, new_asize) = compute_sizes(&nums, nasize);
        self.resize(new_asize, total - na, room)
    }

    /// Lua's `numusearray`: live keys of the array part counted per power-of-two slice.
    fn count_array(&self, nums: &mut [usize; MAXBITS + 1]) -> usize {
        let mut total = 0;
        let mut i = 1;
        let mut ttlg = 1usize;
        for slot in nums.iter_mut() {
            let mut lim = ttlg;
            if lim > self.arr.len() {
                lim = self.arr.len();
                if i > lim {
                    break;
                }
            }
            let mut lc = 0;
            while i <= lim {
                if !self.arr[i - 1].is_nil() {
                    lc += 1;
                }
                i += 1;
            }
            *slot += lc;
            total += lc;
            ttlg *= 2;
        }
        total
    }

    /// Lua's `resize`: an array part of `nasize` slots and a hash part for `nhsize` keys.
    pub fn resize(&mut self, nasize: usize, nhsize: usize, room: usize) -> Result<(), SetError> {
        let cap = if nhsize == 0 {
            0
        } else {
            let lsize = ceil_log2(nhsize);
            if lsize > MAXBITS {
                return Err(SetError::Overflow);
            }
            1 << lsize
        };
        let new_bytes = Table::bytes_for(nasize, cap);
        if new_bytes > self.mem() && new_bytes - self.mem() > room {
            return Err(SetError::Memory);
        }
        let old_nodes = std::mem::take(&mut self.nodes);
        let mut vanishing = Vec::new();
        if nasize < self.arr.len() {
            for (i, v) in self.arr.iter().enumerate().skip(nasize) {
                if !v.is_nil() {
                    vanishing.push((i + 1, *v));
                }
            }
            self.arr.truncate(nasize);
            self.arr.shrink_to_fit();
        } else if nasize > self.arr.len() {
            self.arr.reserve_exact(nasize - self.arr.len());
            self.arr.resize(nasize, Value::Nil);
        }
        self.set_node_cap(cap);
        for (i, v) in vanishing {
            self.push_node(Value::Num(i as f64), v);
        }
        for node in old_nodes {
            if node.val.is_nil() {
                continue;
            }
            if let Value::Num(n) = node.key {
                if let Some(i) = as_index(n) {
                    if i <= self.arr.len() {
                        self.arr[i - 1] = node.val;
                        continue;
                    }
                }
            }
            self.push_node(node.key, node.val);
        }
        Ok(())
    }

    /// Grows the array part to `n` slots (SETLIST's `luaH_resizearray`), keeping the hash
    /// part's size.
    pub fn resize_array(&mut self, n: usize, room: usize) -> Result<(), SetError> {
        self.resize(n, self.node_cap, room)
    }

    /// `#t`: Lua 5.1's `luaH_getn`.
    pub fn len(&self) -> usize {
        let j = self.arr.len();
        if j > 0 && self.arr[j - 1].is_nil() {
            let (mut i, mut j) = (0, j);
            while j - i > 1 {
                let m = (i + j) / 2;
                if self.arr[m - 1].is_nil() {
                    j = m;
                } else {
                    i = m;
                }
            }
            return i;
        }
        if self.node_cap == 0 {
            return j;
        }
        self.unbound_search(j)
    }

    fn unbound_search(&self, j: usize) -> usize {
        let mut i = j;
        let mut j = j + 1;
        while !self.get_int(j).is_nil() {
            i = j;
            j *= 2;
            if j > i32::MAX as usize {
                let mut i = 1;
                while !self.get_int(i).is_nil() {
                    i += 1;
                }
                return i - 1;
            }
        }
        while j - i > 1 {
            let m = (i + j) / 2;
            if self.get_int(m).is_nil() {
                j = m;
            } else {
                i = m;
            }
        }
        i
    }

    /// `next(t, key)`: the entry after `key` (`Nil` for the first), `Ok(None)` at the end,
    /// `Err(())` when `key` is not in the table.
    pub fn next(&self, key: Value) -> Result<Option<(Value, Value)>, ()> {
        let mut i = match key {
            Value::Nil => 0,
            Value::Num(n) if as_index(n).is_some_and(|i| i <= self.arr.len()) => n as usize,
            _ => match self.find(&key) {
                Some(n) => self.arr.len() + n + 1,
                None => return Err(()),
            },
        };
        while i < self.arr.len() {
            if !self.arr[i].is_nil() {
                return Ok(Some((Value::Num((i + 1) as f64), self.arr[i])));
            }
            i += 1;
        }
        let mut n = i - self.arr.len();
        while n < self.nodes.len() {
            let node = self.nodes[n];
            if !node.val.is_nil() {
                return Ok(Some((node.key, node.val)));
            }
            n += 1;
        }
        Ok(None)
    }

    /// Every live key and value (for the collector), array part first.
    pub fn entries(&self) -> impl Iterator<Item = (Value, Value)> + '_ {
        let arr = self.arr.iter().map(|v| (Value::Nil, *v));
        let nodes = self
            .nodes
            .iter()
            .filter(|n| !n.val.is_nil())
            .map(|n| (n.key, n.val));
        arr.chain(nodes)
    }

    /// Clears entries whose key or value the collector found dead (weak tables).
    pub fn clear_weak(
        &mut self,
        dead_key: impl Fn(&Value) -> bool,
        dead_val: impl Fn(&Value) -> bool,
    ) {
        for v in self.arr.iter_mut() {
            if dead_val(v) {
                *v = Value::Nil;
            }
        }
        for n in self.nodes.iter_mut() {
            if !n.val.is_nil() && (dead_key(&n.key) || dead_val(&n.val)) {
                n.val = Value::Nil;
            }
        }
    }

    /// The highest positive numeric key (`table.maxn`).
    pub fn maxn(&self) -> f64 {
        let mut max = 0.0f64;
        for (k, v) in self.entries_with_keys() {
            if let (Value::Num(n), false) = (k, v.is_nil()) {
                if n > max {
                    max = n;
                }
            }
        }
        max
    }

    fn entries_with_keys(&self) -> impl Iterator<Item = (Value, Value)> + '_ {
        let arr = self
            .arr
            .iter()
            .enumerate()
            .map(|(i, v)| (Value::Num((i + 1) as f64), *v));
        let nodes = self.nodes.iter().map(|n| (n.key, n.val));
        arr.chain(nodes)
    }
}

/// Lua's `countint`: counts `key` in its slice when it is an array candidate.
fn count_int(key: &Value, nums: &mut [usize; MAXBITS + 1]) -> usize {
    if let Value::Num(n) = *key {
        if let Some(k) = as_index(n) {
            if k <= MAXASIZE {
                nums[ceil_log2(k)] += 1;
                return 1;
            }
        }
    }
    0
}

/// Lua's `computesizes`: returns (keys going to the array part, new array size).
fn compute_sizes(nums: &[usize; MAXBITS + 1], narray: usize) -> (usize, usize) {
    let mut a = 0;
    let mut na = 0;
    let mut n = 0;
    let mut twotoi = 1usize;
    for &count in nums.iter() {
        if twotoi / 2 >= narray {
            break;
        }
        if count > 0 {
            a += count;
            if a > twotoi / 2 {
                n = twotoi;
                na = a;
            }
        }
        if a == narray {
            break;
        }
        twotoi *= 2;
    }
    (na, n)
}

/// Lua's `luaO_fb2int`: the "floating point byte" of OP_NEWTABLE's size hints.
pub fn fb2int(x: u32) -> usize {
    let e = (x >> 3) & 31;
    if e == 0 {
        x as usize
    } else {
        (((x & 7) + 8) as usize) << (e - 1)
    }
}

/// Lua's `luaO_int2fb`: `x` rounded up to a "floating point byte".
pub fn int2fb(mut x: u32) -> u32 {
    let mut e = 0;
    while x >= 16 {
        x = (x + 1) >> 1;
        e += 1;
    }
    if x < 8 {
        x
    } else {
        ((e + 1) << 3) | (x - 8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(x: f64) -> Value {
        Value::Num(x)
    }

    fn set(t: &mut Table, k: f64, v: f64) {
        t.set(n(k), n(v), usize::MAX).unwrap();
    }

    #[test]
    fn borders_match_lua51() {
        // {1,2,nil,4}: array part of 4 from the constructor.
        let mut t = Table::new(4, 0);
        for (i, v) in [1.0, 2.0, 0.0, 4.0].iter().enumerate() {
            if *v != 0.0 {
                set(&mut t, (i + 1) as f64, *v);
            }
        }
        assert_eq!(t.len(), 4);
        let mut t = Table::new(3, 0);
        set(&mut t, 1.0, 1.0);
        set(&mut t, 2.0, 2.0);
        assert_eq!(t.len(), 2);
        // t={} t[1]=1 t[2]=2 t[4]=4 -> 4; then t[5]=5 -> 5.
        let mut t = Table::new(0, 0);
        set(&mut t, 1.0, 1.0);
        set(&mut t, 2.0, 2.0);
        set(&mut t, 4.0, 4.0);
        assert_eq!(t.len(), 4);
        set(&mut t, 5.0, 5.0);
        assert_eq!(t.len(), 5);
    }

    #[test]
    fn next_walks_everything_once() {
        let mut t = Table::new(0, 0);
        for i in 1..=100 {
            set(&mut t, i as f64 * 1.5, i as f64);
        }
        let mut k = Value::Nil;
        let mut count = 0;
        while let Some((key, _)) = t.next(k).unwrap() {
            count += 1;
            k = key;
        }
        assert_eq!(count, 100);
        assert!(t.next(n(0.25)).is_err());
    }

    #[test]
    fn float_bytes() {
        assert_eq!(int2fb(100), 0x25);
        assert_eq!(fb2int(int2fb(100)), 104);
        for x in 0..1000 {
            assert!(fb2int(int2fb(x)) >= x as usize);
        }
    }

    #[test]
    fn nil_and_nan_keys() {
        let mut t = Table::new(0, 0);
        assert_eq!(t.set(Value::Nil, n(1.0), usize::MAX), Err(SetError::NilKey));
        assert_eq!(
            t.set(n(f64::NAN), n(1.0), usize::MAX),
            Err(SetError::NanKey)
        );
        set(&mut t, -0.0, 7.0);
        assert_eq!(t.get(n(0.0)), n(7.0));
    }
}
