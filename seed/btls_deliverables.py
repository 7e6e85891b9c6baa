"""The BTLS transition's deliverables table, "4. Socitm deliverables" (three pages), as the
text file ``003_b42c17e009099bb8.txt`` holds it: one ``Row`` per line, with its line number and
its five cells exactly as they stand (Outcome, Deliverable, Approved By, Status, Delivery Date /
Planned Date).

Nothing is cleaned here. The Outcome cell holds a fragment of the outcome's wrapped label, or
nothing; three rows have their status shifted into the Approved By cell (lines 391, 398, 468);
one row (391) is three deliverables merged into one; titles repeat. ``btls_transition`` reads
these rows; ``docs/seed.md`` lists every oddity and how it is represented.
"""

from __future__ import annotations

from typing import NamedTuple

DOCUMENT = "003_b42c17e009099bb8.txt"


class Row(NamedTuple):
    line: int
    outcome: str
    deliverable: str
    approved_by: str
    status: str
    date: str


class Page(NamedTuple):
    table: str
    rows: tuple[Row, ...]


PAGE_1 = Page(
    table="4. Socitm deliverables (1/3)",
    rows=(
        Row(
            389,
            "1. LCC have the management structure",
            "Any management team TUPE'd",
            "Glyn Peach",
            "Signed Off",
            "01/03/2021",
        ),
        Row(
            390,
            "to run the service themselves",
            "Management team in place",
            "Glyn Peach",
            "Signed Off",
            "04/01/2021",
        ),
        Row(
            391,
            "",
            (
                "Data in the system to enable a relationship between workstyles and posts and "
                "therefore devices BCP Plan Reviewed Updated and Assured Service Specifications "
                "in place"
            ),
            "d Post Transition",
            "",
            "",
        ),
        Row(392, "", "Key staff gaps filled", "Glyn Peach", "Signed Off", "01/03/2021"),
        Row(393, "", "Terms and Conditions aligned", "Glyn Peach", "Signed Off", "11/03/2021"),
        Row(
            394,
            "",
            "Day 1 - Digital Request process in place",
            "Glyn Peach",
            "Signed Off",
            "31/03/2021",
        ),
        Row(
            395,
            "",
            "Key applications identified and plan in place to secure",
            "Paul Sutcliffe",
            "Signed Off",
            "24/02/2021",
        ),
        Row(
            396,
            "",
            "All critical items changed (logistics)",
            "Glyn Peach",
            "Signed Off",
            "31/03/2021",
        ),
        Row(
            397,
            "2. LCC are able to fully support the",
            "Plan in place for non-critical items",
            "Glyn Peach",
            "Signed Off",
            "31/03/2021",
        ),
        Row(
            398,
            "business from an IT perspective",
            "Digital Assessment Management service solution in place",
            "Post Transition",
            "",
            "",
        ),
        Row(
            399,
            "",
            "Workstyle analysis to support the new device policy",
            "Paul Sutcliffe",
            "Signed Off",
            "23/12/2020",
        ),
        Row(400, "", "DR Plan Reviewed and Assured", "Glyn Peach", "Signed Off", "07/01/2021"),
        Row(
            401,
            "",
            "New KPIs and reporting in place",
            "Sarah Oldendorp",
            "Signed Off",
            "12/01/2021",
        ),
        Row(
            402,
            "",
            "Catalogue Matrix of Services provided to LCC",
            "Glyn Peach",
            "Signed Off",
            "07/01/2021",
        ),
        Row(
            403,
            "",
            "Service Description Template - Digital Towers",
            "Glyn Peach",
            "Signed Off",
            "07/01/2021",
        ),
        Row(
            404,
            "",
            "Service Description Template - Services",
            "Glyn Peach",
            "Signed Off",
            "07/01/2021",
        ),
        Row(405, "", "Project costing policy", "Glyn Peach", "Signed Off", "01/03/2021"),
        Row(406, "", "Project costing spreadsheet", "Glyn Peach", "Signed Off", "01/03/2021"),
        Row(
            407,
            "",
            "Projects delivered to an agreed point",
            "Glyn Peach",
            "Signed Off",
            "19/02/2021",
        ),
        Row(
            408,
            "",
            "Project handed over at an agreed point",
            "Glyn Peach",
            "Signed Off",
            "19/02/2021",
        ),
        Row(
            409,
            "3. Smooth transition for inflight",
            "Plan in place to deliver all agreed infrastructure projects before Transition",
            "Glyn Peach",
            "Signed Off",
            "07/01/2021",
        ),
        Row(
            410,
            "projects",
            "Plan in place to deliver remaining infrastructure projects following Transition",
            "Glyn Peach",
            "Signed Off",
            "07/02/2021",
        ),
        Row(
            411,
            "",
            "Documented protocol for handling projects straddling the transition",
            "Glyn Peach",
            "Signed Off",
            "14/01/2021",
        ),
        Row(
            412,
            "",
            "True-Up of payments with progress for the handover date for projects",
            "",
            "Post Transition",
            "",
        ),
    ),
)

PAGE_2 = Page(
    table="4. Socitm deliverables (2/3)",
    rows=(
        Row(419, "", "All supplier contracts novated to LCC", "", "Post Transition", ""),
        Row(
            420,
            "",
            "Contracts agreed with all beneficiaries",
            "Paul Sutcliffe",
            "Signed Off",
            "25/03/2021",
        ),
        Row(
            421,
            "4. LCC in a position to provide commercially viable services to",
            "Catalogue Matrix of Services provided to Beneficiaries",
            "Gabby Nelson / Paul Sutcliffe",
            "Signed Off",
            "18/03/2021",
        ),
        Row(
            422,
            "external 3rd parties",
            "Service Description Template - Services to Beneficiaries",
            "Gabby Nelson / Paul Sutcliffe",
            "Signed Off",
            "02/02/2021",
        ),
        Row(
            423,
            "",
            "Service descriptions agreed, contracts signed",
            "Paul Sutcliffe",
            "Signed Off",
            "25/03/2021",
        ),
        Row(
            424,
            "",
            (
                "Digital Request Process incorporates all types of change (including identified "
                "continual improvement changes)"
            ),
            "Glyn Peach",
            "Signed Off",
            "18/03/2021",
        ),
        Row(
            425,
            "",
            "Create a Digital Request Process Boards Terms of Reference",
            "Paul Sutcliffe",
            "Signed Off",
            "31/03/2021",
        ),
        Row(
            426,
            "",
            "Swim Lane process flows - Level 1 overview",
            "Glyn Peach",
            "Signed Off",
            "18/03/2021",
        ),
        Row(
            427,
            "",
            "Swim Lane process flows - Level 2 process - Customer Digital Requests Gateway",
            "Glyn Peach",
            "Signed Off",
            "18/03/2021",
        ),
        Row(
            428,
            "",
            "Swim Lane process flows - Level 2 process - Digital Requests Triage",
            "Glyn Peach",
            "Signed Off",
            "18/03/2021",
        ),
        Row(
            429,
            "",
            "Swim Lane process flows - Level 2 process - Digital Requests Governance",
            "Glyn Peach",
            "Signed Off",
            "18/03/2021",
        ),
        Row(
            430,
            "",
            "Digital Requests Category Maps",
            "Paul Sutcliffe",
            "Signed Off",
            "31/03/2021",
        ),
        Row(
            431,
            "5. LCC able to put plans in place to",
            (
                "Document outlining principles/criteria & process for differentiating "
                "business-led from Digital-led Request types"
            ),
            "Glyn Peach",
            "Signed Off",
            "18/03/2021",
        ),
        Row(
            432,
            "continue to improve the quality of",
            (
                "Document with criteria and Excel tool (algorithm) for differentiating Request "
                "types - Service Request or full Digital Request"
            ),
            "Glyn Peach",
            "Signed Off",
            "18/03/2021",
        ),
        Row(
            433,
            "the it service",
            (
                "Document with criteria and Excel tool (algorithm) for differentiating Request "
                "types - Minor or Major Works"
            ),
            "Glyn Peach",
            "Signed Off",
            "18/03/2021",
        ),
        Row(
            434,
            "",
            (
                "Assessment of all Services not fit for purpose to clear efficiencies can be "
                "achieved (costs): RFP Process"
            ),
            "Glyn Peach",
            "Signed Off",
            "18/03/2021",
        ),
        Row(
            435,
            "",
            (
                "Assessment of all Services not fit for purpose so clear efficiencies can be "
                "achieved (costs): Starters, Leavers, Movers Process"
            ),
            "",
            "Post Transition",
            "",
        ),
        Row(
            436,
            "",
            (
                "Assessment of all Services not fit for purpose to clear efficiencies can be "
                "achieved (costs): Incident Management"
            ),
            "Paul Sutcliffe",
            "Signed Off",
            "27/11/2021",
        ),
        Row(437, "", "Catalogue of Business Issues", "Paul Sutcliffe", "Signed Off", "15/07/2020"),
        Row(
            438,
            "",
            "Assessment of the Business Issues and prioritisation",
            "Paul Sutcliffe",
            "Signed Off",
            "25/03/2021",
        ),
    ),
)

PAGE_3 = Page(
    table="4. Socitm deliverables (3/3)",
    rows=(
        Row(
            445,
            "",
            (
                "Licensing position understood and documented, allowing LCC to make "
                "evidence-based decisions"
            ),
            "Glyn Peach",
            "Signed Off",
            "11/03/2021",
        ),
        Row(
            446,
            "6. LCC are able to look at potential",
            "Cloud feasibility study and PID delivered",
            "Glyn Peach",
            "Signed Off",
            "18/03/2021",
        ),
        Row(
            447,
            "cost savings across the business",
            "Plan in place to review apps rationalisation following transition",
            "Paul Sutcliffe",
            "Signed Off",
            "25/03/2021",
        ),
        Row(
            448,
            "",
            "Plan in place to review apps rationalisation following transition",
            "Glyn Peach",
            "Signed Off",
            "18/03/2021",
        ),
        Row(
            449,
            "",
            "One-Off Cost of delivering Digital Services",
            "Glyn Peach",
            "Signed Off",
            "18/02/2021",
        ),
        Row(
            450,
            "7. LCC understand the cost of",
            "EA data loaded into Ardoq",
            "Mark Greenwood",
            "Signed Off",
            "23/12/2020",
        ),
        Row(
            451,
            "providing IT support at a business level and fully understand the",
            "Future EA Data Sources identified",
            "Mark Greenwood",
            "Signed Off",
            "23/12/2020",
        ),
        Row(
            452,
            "breakdown of the cost and value of",
            "Account's structure set up",
            "Sharon Porter",
            "Signed Off",
            "05/03/2021",
        ),
        Row(
            453,
            "their returned services",
            "Service Description Template - Digital Towers (as above)",
            "Glyn Peach",
            "Signed Off",
            "18/03/2021",
        ),
        Row(
            454,
            "their retained services",
            "Service Description Template - Services (as above)",
            "Glyn Peach",
            "Signed Off",
            "18/03/2021",
        ),
        Row(
            455,
            "",
            "Application portfolio linked to services and processes",
            "Mark Greenwood",
            "Signed Off",
            "31/01/2021",
        ),
        Row(
            456,
            "",
            "Plan in place for BTLS to resolve any key under licensing issues",
            "Glyn Peach",
            "Signed Off",
            "11/03/2021",
        ),
        Row(
            457,
            "8. LCC have no licensing liabilities",
            "Plan in place to resolve all remaining licensing issues",
            "Glyn Peach",
            "Signed Off",
            "11/03/2021",
        ),
        Row(
            458,
            "",
            "Audit of licensing identifying Under/Over licensing",
            "Glyn Peach",
            "Signed Off",
            "11/03/2021",
        ),
        Row(459, "", "Key GDPR issues resolved by BTLS", "Glyn Peach", "Signed Off", "18/03/2021"),
        Row(
            460,
            "",
            "Plan in place to resolve any remaining GDPR issues",
            "Glyn Peach",
            "Signed Off",
            "18/03/2021",
        ),
        Row(461, "", "Key PSN issues resolved by BTLS", "Glyn Peach", "Signed Off", "18/03/2021"),
        Row(
            462,
            "9. LCC have no unresolved",
            "Plan in place to resolve any remaining PSN issues",
            "Glyn Peach",
            "Signed Off",
            "18/03/2021",
        ),
        Row(
            463,
            "compliancy issues",
            "Key security issues resolved by BTLS",
            "Glyn Peach",
            "Signed Off",
            "07/01/2021",
        ),
        Row(
            464,
            "",
            "Plan in place to resolve any remaining security issues",
            "Glyn Peach",
            "Signed Off",
            "07/01/2021",
        ),
        Row(465, "", "Key PCI issues resolved by BTLS", "", "Post Transition", ""),
        Row(
            466,
            "",
            "Plan in place to resolve any remaining PCI issues",
            "",
            "Post Transition",
            "",
        ),
        Row(467, "", "WLBC Service Schedule", "Glyn Peach", "Signed Off", "05/03/2021"),
        Row(
            468,
            "10. LCC are able to procure new IT",
            "All supplier contracts and key information stored in a repository",
            "Post Transition",
            "",
            "",
        ),
        Row(
            469,
            "services for themselves",
            "Staff in place who can deal with LA procurement",
            "Rachel Tanner",
            "Signed Off",
            "01/03/2021",
        ),
        Row(470, "", "All live Purchase Orders transferred to LCC", "", "Post Transition", ""),
    ),
)

PAGES = (PAGE_1, PAGE_2, PAGE_3)
