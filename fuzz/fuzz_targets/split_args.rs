//! redis-cli's tokenizer over any line: it splits or refuses (unbalanced quotes), and what it
//! splits, quoted back with `repr` and split again, gives the same arguments.
#![no_main]

use keyspace::cli::{repr, split_args};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|line: &[u8]| {
    if let Some(args) = split_args(line) {
        let quoted: Vec<String> = args.iter().map(|a| repr(a)).collect();
        let again = split_args(quoted.join(" ").as_bytes());
        assert_eq!(again.as_ref(), Some(&args), "repr does not read back");
    }
});
