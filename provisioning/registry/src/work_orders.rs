//! Work orders (工单, issue 20): the rules shared with terminals live in
//! [`provisioning::work_orders`]; the registry files, dispatches and reports them.

pub use provisioning::work_orders::*;
