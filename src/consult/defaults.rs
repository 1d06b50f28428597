//! The default consultation content shipped with the firmware (used until a signed
//! `catalogue` bundle replaces it).
//!
//! Keep [`FILES`] in step with `content/catalogue/consultation/`: a test fails when a file
//! there is missing here.

use super::load::CatalogueError;
use super::model::Catalogue;

/// The default content's files, by bundle name.
pub const FILES: &[(&str, &str)] = &[
    ("catalogue.toml", include_str!("../../content/catalogue/consultation/catalogue.toml")),
    ("materials.toml", include_str!("../../content/catalogue/consultation/materials.toml")),
    ("matters/administrative-benefits.toml", include_str!("../../content/catalogue/consultation/matters/administrative-benefits.toml")),
    ("matters/administrative-demolition.toml", include_str!("../../content/catalogue/consultation/matters/administrative-demolition.toml")),
    ("matters/administrative-penalty.toml", include_str!("../../content/catalogue/consultation/matters/administrative-penalty.toml")),
    ("matters/consumer-defective-goods.toml", include_str!("../../content/catalogue/consultation/matters/consumer-defective-goods.toml")),
    ("matters/consumer-online.toml", include_str!("../../content/catalogue/consultation/matters/consumer-online.toml")),
    ("matters/consumer-prepaid-card.toml", include_str!("../../content/catalogue/consultation/matters/consumer-prepaid-card.toml")),
    ("matters/contract-breach.toml", include_str!("../../content/catalogue/consultation/matters/contract-breach.toml")),
    ("matters/contract-guarantee.toml", include_str!("../../content/catalogue/consultation/matters/contract-guarantee.toml")),
    ("matters/contract-private-loan.toml", include_str!("../../content/catalogue/consultation/matters/contract-private-loan.toml")),
    ("matters/criminal-detained.toml", include_str!("../../content/catalogue/consultation/matters/criminal-detained.toml")),
    ("matters/criminal-fraud.toml", include_str!("../../content/catalogue/consultation/matters/criminal-fraud.toml")),
    ("matters/criminal-victim.toml", include_str!("../../content/catalogue/consultation/matters/criminal-victim.toml")),
    ("matters/housing-property-management.toml", include_str!("../../content/catalogue/consultation/matters/housing-property-management.toml")),
    ("matters/housing-purchase.toml", include_str!("../../content/catalogue/consultation/matters/housing-purchase.toml")),
    ("matters/housing-rental.toml", include_str!("../../content/catalogue/consultation/matters/housing-rental.toml")),
    ("matters/inheritance-estate.toml", include_str!("../../content/catalogue/consultation/matters/inheritance-estate.toml")),
    ("matters/inheritance-house.toml", include_str!("../../content/catalogue/consultation/matters/inheritance-house.toml")),
    ("matters/inheritance-will.toml", include_str!("../../content/catalogue/consultation/matters/inheritance-will.toml")),
    ("matters/labour-dismissal.toml", include_str!("../../content/catalogue/consultation/matters/labour-dismissal.toml")),
    ("matters/labour-no-contract.toml", include_str!("../../content/catalogue/consultation/matters/labour-no-contract.toml")),
    ("matters/labour-social-insurance.toml", include_str!("../../content/catalogue/consultation/matters/labour-social-insurance.toml")),
    ("matters/labour-unpaid-wages.toml", include_str!("../../content/catalogue/consultation/matters/labour-unpaid-wages.toml")),
    ("matters/land-contract-land.toml", include_str!("../../content/catalogue/consultation/matters/land-contract-land.toml")),
    ("matters/land-expropriation.toml", include_str!("../../content/catalogue/consultation/matters/land-expropriation.toml")),
    ("matters/land-homestead.toml", include_str!("../../content/catalogue/consultation/matters/land-homestead.toml")),
    ("matters/marriage-bride-price.toml", include_str!("../../content/catalogue/consultation/matters/marriage-bride-price.toml")),
    ("matters/marriage-divorce.toml", include_str!("../../content/catalogue/consultation/matters/marriage-divorce.toml")),
    ("matters/marriage-domestic-violence.toml", include_str!("../../content/catalogue/consultation/matters/marriage-domestic-violence.toml")),
    ("matters/medical-death.toml", include_str!("../../content/catalogue/consultation/matters/medical-death.toml")),
    ("matters/medical-malpractice.toml", include_str!("../../content/catalogue/consultation/matters/medical-malpractice.toml")),
    ("matters/medical-records.toml", include_str!("../../content/catalogue/consultation/matters/medical-records.toml")),
    ("matters/neighbour-fight.toml", include_str!("../../content/catalogue/consultation/matters/neighbour-fight.toml")),
    ("matters/neighbour-nuisance.toml", include_str!("../../content/catalogue/consultation/matters/neighbour-nuisance.toml")),
    ("matters/neighbour-water-leak.toml", include_str!("../../content/catalogue/consultation/matters/neighbour-water-leak.toml")),
    ("matters/services-appraisal.toml", include_str!("../../content/catalogue/consultation/matters/services-appraisal.toml")),
    ("matters/services-arbitration.toml", include_str!("../../content/catalogue/consultation/matters/services-arbitration.toml")),
    ("matters/services-lawyer.toml", include_str!("../../content/catalogue/consultation/matters/services-lawyer.toml")),
    ("matters/services-legal-aid.toml", include_str!("../../content/catalogue/consultation/matters/services-legal-aid.toml")),
    ("matters/services-legal-education.toml", include_str!("../../content/catalogue/consultation/matters/services-legal-education.toml")),
    ("matters/services-mediation.toml", include_str!("../../content/catalogue/consultation/matters/services-mediation.toml")),
    ("matters/services-notary.toml", include_str!("../../content/catalogue/consultation/matters/services-notary.toml")),
    ("matters/support-child.toml", include_str!("../../content/catalogue/consultation/matters/support-child.toml")),
    ("matters/support-elderly.toml", include_str!("../../content/catalogue/consultation/matters/support-elderly.toml")),
    ("matters/support-guardianship.toml", include_str!("../../content/catalogue/consultation/matters/support-guardianship.toml")),
    ("matters/traffic-injury.toml", include_str!("../../content/catalogue/consultation/matters/traffic-injury.toml")),
    ("matters/traffic-liability.toml", include_str!("../../content/catalogue/consultation/matters/traffic-liability.toml")),
    ("matters/traffic-property-damage.toml", include_str!("../../content/catalogue/consultation/matters/traffic-property-damage.toml")),
    ("matters/work-injury-compensation.toml", include_str!("../../content/catalogue/consultation/matters/work-injury-compensation.toml")),
    ("matters/work-injury-no-contract.toml", include_str!("../../content/catalogue/consultation/matters/work-injury-no-contract.toml")),
    ("matters/work-injury-recognition.toml", include_str!("../../content/catalogue/consultation/matters/work-injury-recognition.toml")),
];

/// Loads the shipped default catalogue.
pub fn catalogue() -> Result<Catalogue, CatalogueError> {
    Catalogue::from_files(FILES.iter().map(|(n, t)| (*n, t.as_bytes())))
}
