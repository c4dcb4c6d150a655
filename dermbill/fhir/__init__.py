"""FHIR R4 in and out: dermbill's claims, adjudications, patients and coverage as FHIR resources, and an EHR's
Bundle of Patient, Coverage, Encounter, Procedure and Condition read into plain values.

Pure mapping: no database, no HTTP. The services gather rows into the values of ``facts`` (and save what
``ehr_bundle`` reads); this package builds and reads the resources and validates every one with fhir.resources.

fhir.resources 8 defaults to FHIR R5; dermbill uses its ``fhir.resources.R4B`` models, whose Patient, Coverage,
Encounter, Procedure, Condition, Claim, ClaimResponse and ExplanationOfBenefit have the R4 (4.0.1) shape.

Imports ``dermbill.core`` and fhir.resources only; never ``db``, ``services`` or the interfaces.
"""
