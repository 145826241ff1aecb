//! An uploaded CSV file, as the import reads it before writing anything:
//! whatever the bytes, planning answers without panicking; a plan keeps to
//! the caps and holds nothing PostgreSQL cannot store; a refusal's report
//! keeps to the report's limits however large or strange the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taskward::transfer::import::{self, ImportFile};

mod report;

fuzz_target!(|data: &[u8]| {
    let zone = report::zone_for(data);
    report::assert_bounded(import::plan(
        ImportFile::Csv(data.to_vec()),
        zone,
        report::LIMIT,
    ));
});
