"""The code systems and identifier systems dermbill writes and reads (FHIR ``system`` URIs)."""

from __future__ import annotations

CPT = "http://www.ama-assn.org/go/cpt"  # codes only: dermbill never writes CPT descriptor text
HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
NPI = "http://hl7.org/fhir/sid/us-npi"
CARC = "https://x12.org/codes/claim-adjustment-reason-codes"
RARC = "https://x12.org/codes/remittance-advice-remark-codes"
CAS_GROUP = "https://x12.org/codes/claim-adjustment-group-codes"
PLACE_OF_SERVICE = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"

# HL7 terminology.
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"  # MR medical record number, MB member number
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
PROCESS_PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
SUBSCRIBER_RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
ENCOUNTER_CLASS = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"

# dermbill's own (no standard system exists for these): an X12 payer ID as clearinghouses assign it, a patient's
# account number in a practice, and the modifiers and units an EHR's Procedure carries for its charge.
PAYER_ID = "urn:dermbill:x12-payer-id"
ACCOUNT_PREFIX = "urn:dermbill:account:"  # + the practice's code
PROCEDURE_MODIFIER = "urn:dermbill:fhir:procedure-modifier"  # valueCode, repeated in order
PROCEDURE_UNITS = "urn:dermbill:fhir:procedure-units"  # valueInteger
CLAIM_NUMBER_PREFIX = "urn:dermbill:claim-number:"  # + the practice's code (CLM01, the patient control number)
PAYER_CLAIM_NUMBER = "urn:dermbill:payer-claim-number"  # 835 CLP07
TRACE_NUMBER = "urn:dermbill:trace-number"  # 835 TRN02

# X12 individual relationship code (SBR02) <-> FHIR subscriber-relationship.
RELATIONSHIP_TO_FHIR = {"18": "self", "01": "spouse", "19": "child", "20": "other", "G8": "other"}
RELATIONSHIP_FROM_FHIR = {"self": "18", "spouse": "01", "child": "19", "common": "01", "parent": "G8",
                          "other": "G8", "injured": "G8"}
COVERAGE_ORDER = {"primary": 1, "secondary": 2, "tertiary": 3}
SEX_TO_GENDER = {"F": "female", "M": "male", "U": "unknown"}
GENDER_TO_SEX = {"female": "F", "male": "M", "unknown": "U", "other": "U"}
