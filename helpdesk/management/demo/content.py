"""What the demo support org looks like: teams, tiers, skills, categories and believable ticket text.

Plain data, so the builder stays readable and admins can see where demo text comes from.
"""

from __future__ import annotations

TIERS = [
    # level, name, first response minutes, resolution minutes
    (1, "Frontline", 30, 24 * 60),
    (2, "Specialist", 2 * 60, 3 * 24 * 60),
    (3, "Expert", 8 * 60, 5 * 24 * 60),
]

TEAMS = {
    "Billing": "Invoices, payments, refunds and billing disputes.",
    "Technical": "API, integrations, performance, mobile and data questions.",
    "Security": "Suspicious activity, access incidents, SSO and compliance.",
    "Accounts": "Logins, users and roles, plan changes and cancellations.",
    "Product": "Bugs that need a code change, and feature requests.",
}

SKILLS = [
    ("payments", "technical"),
    ("refunds", "technical"),
    ("invoicing", "technical"),
    ("api", "technical"),
    ("integrations", "technical"),
    ("sso", "technical"),
    ("security", "technical"),
    ("data-import", "technical"),
    ("performance", "technical"),
    ("mobile", "product"),
    ("account-admin", "product"),
    ("difficult-conversations", "soft"),
]

# name: (team, required skills, automatable, keywords)
CATEGORIES = {
    "Billing dispute": (
        "Billing",
        ["payments", "difficult-conversations"],
        False,
        [
            "dispute",
            "disputed",
            "overcharged",
            "double charged",
            "charged twice",
            "chargeback",
            "unauthorized charge",
            # the same in the languages the demo's customers write in (German, French, Spanish)
            "doppelt abgebucht",
            "zweimal abgebucht",
            "débité deux fois",
            "débitée deux fois",
            "prélevé deux fois",
            "cobrado dos veces",
        ],
    ),
    "Refund request": (
        "Billing",
        ["refunds"],
        False,
        ["refund", "money back", "reimburse", "erstattung", "rückerstattung", "remboursement", "reembolso"],
    ),
    "Invoice question": (
        "Billing",
        ["invoicing"],
        False,
        ["invoice", "receipt", "vat", "billing address", "purchase order", "rechnung", "facture", "factura"],
    ),
    "API & integrations": (
        "Technical",
        ["api", "integrations"],
        False,
        ["api", "webhook", "integration", "token", "endpoint", "sdk", "rate limit", "zapier", "salesforce"],
    ),
    "Performance": (
        "Technical",
        ["performance"],
        False,
        ["slow", "timeout", "latency", "loading", "performance", "production down", "outage"],
    ),
    "Mobile app": ("Technical", ["mobile"], False, ["ios", "android", "mobile", "app store", "iphone"]),
    "Data import & export": (
        "Technical",
        ["data-import"],
        False,
        ["import", "export", "csv", "migration", "backup", "sync"],
    ),
    "Security incident": (
        "Security",
        ["security"],
        False,
        ["breach", "unauthorized access", "suspicious", "phishing", "hacked", "compromised", "data leak"],
    ),
    "SSO & login": (
        "Security",
        ["sso"],
        False,
        ["sso", "saml", "okta", "azure ad", "2fa", "mfa", "single sign-on"],
    ),
    "Password reset": (
        "Accounts",
        ["account-admin"],
        True,
        ["password", "reset", "locked out", "forgot", "passwort", "kennwort", "mot de passe", "contraseña"],
    ),
    "User management": (
        "Accounts",
        ["account-admin"],
        False,
        ["seat", "seats", "user role", "permissions", "invite", "deactivate", "admin rights"],
    ),
    "Cancellation": (
        "Accounts",
        ["difficult-conversations"],
        False,
        ["cancel", "cancellation", "terminate", "downgrade", "switch to"],
    ),
    "How-to question": ("Accounts", [], True, ["how do i", "how to", "where can i", "is it possible"]),
    "Bug report": (
        "Product",
        [],
        False,
        ["bug", "error", "crash", "broken", "regression", "500 error", "exception"],
    ),
    "Feature request": (
        "Product",
        [],
        False,
        ["feature", "would be great", "request", "roadmap", "suggestion"],
    ),
}

CATEGORY_WEIGHTS = {
    "Billing dispute": 5,
    "Refund request": 6,
    "Invoice question": 9,
    "API & integrations": 11,
    "Performance": 6,
    "Mobile app": 5,
    "Data import & export": 7,
    "Security incident": 3,
    "SSO & login": 6,
    "Password reset": 10,
    "User management": 8,
    "Cancellation": 4,
    "How-to question": 9,
    "Bug report": 9,
    "Feature request": 5,
}

# Each template: (subject, body). Slots: {amount} {invoice} {error} {feature} {integration} {n} {month} {product_area} {platform}
TEXTS: dict[str, list[tuple[str, str]]] = {
    "Billing dispute": [
        (
            "Charged twice this month",
            "We were charged twice for {month}: two payments of ${amount} on our card. Please reverse the duplicate charge. Invoice {invoice}.",
        ),
        (
            "Disputed charge of ${amount}",
            "There is a charge of ${amount} on our statement that we do not recognise. We never upgraded the plan. I want this disputed and refunded.",
        ),
        (
            "Overcharged after plan change",
            "After we downgraded in {month} we were still billed ${amount} for the old plan. This is the third time I am writing about it.",
        ),
        (
            "Unexpected invoice amount",
            "Invoice {invoice} shows ${amount} but our contract says otherwise. Our finance team is refusing to pay until this is fixed.",
        ),
    ],
    "Refund request": [
        (
            "Refund for unused seats",
            "We removed {n} seats in {month} but were billed for them anyway. Can we get a refund of ${amount}?",
        ),
        (
            "Requesting a refund",
            "We signed up by mistake for the annual plan. Could we get our money back (${amount})? We only used it for two days.",
        ),
        (
            "Refund outside trial period",
            "Our trial ended and the card was charged ${amount}. We did not intend to continue. Please refund, I know it is past the 14 days.",
        ),
    ],
    "Invoice question": [
        (
            "Need VAT number on invoice",
            "Could you add our VAT number to invoice {invoice}? Our accounting cannot book it otherwise.",
        ),
        (
            "Change billing address",
            "We moved offices. How do we change the billing address that appears on invoices from {month} on?",
        ),
        (
            "Purchase order reference",
            "Our procurement requires PO numbers on every invoice. Can you reissue {invoice} with PO {n}?",
        ),
        (
            "Where can I download receipts",
            "I need receipts for all payments made this year for our audit. Where do I find them?",
        ),
    ],
    "API & integrations": [
        (
            "Webhook deliveries failing",
            "Since yesterday our webhook endpoint receives nothing. The delivery log shows {error}. Nothing changed on our side.",
        ),
        (
            "API returns 401 with a valid token",
            "Calls to the REST API return 401 Unauthorized even with a freshly generated token. We use the {integration} connector.",
        ),
        (
            "Rate limit too low for our sync",
            "Our nightly sync hits the API rate limit after about {n} requests. Can the limit be raised for our account?",
        ),
        (
            "{integration} integration stopped syncing",
            "The {integration} integration stopped syncing contacts on {month} 3rd. Error in the log: {error}.",
        ),
        (
            "SDK pagination question",
            "Using the Python SDK, the list endpoint only returns the first page. How do we iterate through all {n} records?",
        ),
    ],
    "Performance": [
        (
            "Dashboard extremely slow",
            "The {product_area} dashboard takes over a minute to load for our team. It used to be instant. We have about {n} records.",
        ),
        (
            "Production down — timeouts everywhere",
            "Production down: every request times out since 09:40. Our customers cannot work. This is urgent, we are losing money every minute.",
        ),
        (
            "Reports time out",
            "Exporting the monthly report always ends in a timeout ({error}). We need it for a board meeting tomorrow.",
        ),
    ],
    "Mobile app": [
        (
            "{platform} app crashes on start",
            "After the latest update the {platform} app crashes immediately on launch. Reinstalling did not help.",
        ),
        (
            "Push notifications not arriving",
            "None of our field staff receive push notifications on {platform} since last week.",
        ),
        (
            "Offline mode loses data",
            "When the {platform} app goes offline and comes back, entries made offline disappear.",
        ),
    ],
    "Data import & export": [
        (
            "CSV import rejects rows",
            "Importing our customer list fails: {n} rows rejected with '{error}'. The file is UTF-8 with a header.",
        ),
        (
            "Full data export for migration",
            "We need a full export of our account data (including attachments) for an internal migration. What is the best way?",
        ),
        (
            "Sync creates duplicates",
            "Every sync with {integration} creates duplicate records. We now have {n} duplicates to clean up.",
        ),
    ],
    "Security incident": [
        (
            "Suspicious login from unknown country",
            "We see a successful login to an admin account from a country where we have no staff. Possible unauthorized access. Please help immediately.",
        ),
        (
            "Possible data breach",
            "One of our users reports that customer data from our account appeared on a public site. We suspect a data breach.",
        ),
        (
            "Phishing email pretending to be you",
            "Several of our employees got a phishing email using your logo asking them to re-enter their password.",
        ),
        (
            "Account compromised?",
            "An API token we never created appeared in our account and was used {n} times overnight. Is our account compromised?",
        ),
    ],
    "SSO & login": [
        (
            "SAML SSO error after certificate rotation",
            "After rotating our IdP certificate, SSO fails with '{error}'. Nobody in the company can log in via Okta.",
        ),
        (
            "Enforce 2FA for all users",
            "How can we enforce two-factor authentication for all {n} users in our workspace?",
        ),
        (
            "Azure AD provisioning not working",
            "New users created in Azure AD are not provisioned to our workspace anymore.",
        ),
    ],
    "Password reset": [
        (
            "Forgot my password",
            "I forgot my password and the reset email never arrives. Can you help me get back in?",
        ),
        (
            "Locked out of my account",
            "I am locked out after too many attempts. How long until I can try to reset my password again?",
        ),
        (
            "Password reset link expired",
            "The password reset link says it has expired, even though I clicked it right away.",
        ),
    ],
    "User management": [
        (
            "Add {n} seats",
            "We hired {n} people and need seats for them. Can we add them to our current plan?",
        ),
        (
            "Transfer admin rights",
            "Our admin left the company. How do we transfer admin rights to another user?",
        ),
        (
            "Deactivate a former employee",
            "Please help us deactivate a former employee's account and reassign their records.",
        ),
    ],
    "Cancellation": [
        (
            "We want to cancel",
            "We have decided to cancel our subscription at renewal. The product does not fit our needs anymore. Please confirm the steps.",
        ),
        (
            "Considering switching to a competitor",
            "Honestly we are considering switching to another vendor. The {product_area} issues have cost us too much time. Nobody seems to care.",
        ),
        (
            "Downgrade before renewal",
            "Before our renewal we would like to downgrade to a smaller plan, or we will have to cancel altogether.",
        ),
    ],
    "How-to question": [
        (
            "How do I export a report to PDF?",
            "How do I export the {product_area} report to PDF? I cannot find the option.",
        ),
        (
            "How to set up recurring tasks",
            "Is it possible to create recurring tasks every {n} days? Where can I configure that?",
        ),
        (
            "Where can I change my notification settings?",
            "Where can I change which email notifications I receive? I get too many.",
        ),
        ("How to share a dashboard", "How do I share a dashboard with a colleague who has a read-only seat?"),
    ],
    "Bug report": [
        (
            "Error when saving {product_area} settings",
            "Saving the {product_area} settings gives '{error}'. Steps: open settings, change any field, click save.",
        ),
        (
            "Regression: filters broken since update",
            "Since the last release the filters in {product_area} ignore the date range. This is clearly a bug.",
        ),
        (
            "Export produces corrupted file",
            "The exported file cannot be opened; it looks corrupted. Happens every time since {month}.",
        ),
        (
            "Numbers in report are wrong",
            "The totals in the {product_area} report do not match the underlying data — off by {n}. Looks like a calculation bug that needs a code fix.",
        ),
    ],
    "Feature request": [
        (
            "Feature request: dark mode",
            "Would be great to have a dark mode. Many of our users work night shifts.",
        ),
        (
            "Request: bulk edit in {product_area}",
            "Please add bulk editing in {product_area}. We edit {n} items one by one every week.",
        ),
        (
            "Suggestion for the API",
            "A suggestion: allow filtering the list endpoint by updated date. It would make our sync much faster.",
        ),
    ],
}

SLOTS = {
    "integration": ["Salesforce", "HubSpot", "Zapier", "Slack", "Jira", "NetSuite", "Shopify"],
    "error": [
        "HTTP 500",
        "ERR_TIMEOUT",
        "invalid_signature",
        "E1042 duplicate key",
        "403 Forbidden",
        "unexpected token",
    ],
    "product_area": ["analytics", "scheduling", "reporting", "inventory", "CRM", "billing"],
    "platform": ["iOS", "Android"],
    "month": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}

AGENT_REPLIES = {
    "default": [
        "Thanks for reaching out. I am looking into this now and will get back to you shortly.",
        "Thanks for the details. Could you tell me when this started and whether it affects all users?",
        "I have reproduced this on our side and am working on it.",
    ],
    "resolution": [
        "This is fixed now — please let us know if you see it again.",
        "I have applied the change to your account. Everything should work as expected now.",
        "We have corrected this and sent you an updated confirmation. Sorry for the trouble.",
        "Here are the steps that solve this; I have also linked the relevant help article.",
    ],
    "customer_followup": [
        "Thanks, any update on this?",
        "It still does not work on our side, unfortunately.",
        "This is the third time I am asking — can someone please look at this?",
        "Great, thank you for the quick help!",
    ],
    "note": [
        "Checked the logs: the error started after the last deploy.",
        "Customer is on an enterprise plan and renews soon — handle with care.",
        "Tried the standard fix, no luck. Needs someone with database access.",
        "Looks like a known issue; linking to the engineering ticket.",
    ],
}

ESCALATION_REASONS = {
    "hierarchical": [
        "Needs database access to investigate.",
        "Refund is outside L1 policy limits.",
        "Customer asked for a senior contact.",
        "Standard troubleshooting did not help; needs deeper analysis.",
        "Enterprise account close to renewal — needs a senior owner.",
    ],
    "functional": [
        "Looks like a bug that needs a code change.",
        "Possible account compromise — Security should take over.",
        "This is a billing question, not a technical one.",
        "Integration issue, needs the Technical team.",
    ],
}

# Functional hand-offs that happen in real support: from team -> to team.
FUNCTIONAL_PATHS = {
    "Technical": ["Product", "Security"],
    "Accounts": ["Billing", "Security"],
    "Billing": ["Accounts"],
    "Product": ["Technical"],
    "Security": ["Technical"],
}

FIRST_NAMES = [
    "Maria",
    "Jonas",
    "Aisha",
    "Tom",
    "Priya",
    "Lukas",
    "Sofia",
    "Daniel",
    "Mei",
    "Omar",
    "Elena",
    "Noah",
    "Fatima",
    "Liam",
    "Chloe",
    "Mateo",
    "Hana",
    "Ben",
    "Zoe",
    "Raj",
    "Ingrid",
    "Carlos",
    "Yuki",
    "Emma",
    "Kwame",
    "Lea",
    "Ivan",
    "Sara",
    "Marco",
    "Nina",
    "Felix",
    "Amara",
    "Oscar",
    "Julia",
    "Tariq",
    "Clara",
    "Hugo",
    "Maya",
    "Leon",
    "Alice",
]
LAST_NAMES = [
    "Schmidt",
    "Okafor",
    "Rossi",
    "Nguyen",
    "Kowalski",
    "Silva",
    "Johansson",
    "Patel",
    "Garcia",
    "Tanaka",
    "Müller",
    "Dubois",
    "Kim",
    "Hughes",
    "Novak",
    "Costa",
    "Larsen",
    "Ahmed",
    "Weber",
    "Moreau",
    "Byrne",
    "Fischer",
    "Santos",
]
ORG_WORDS_A = [
    "Acme",
    "Northwind",
    "Blue Harbor",
    "Quantum",
    "Evergreen",
    "Silverline",
    "Redwood",
    "Brightpath",
    "Ironclad",
    "Lumen",
    "Orbit",
    "Pioneer",
    "Summit",
    "Tidal",
    "Vertex",
    "Granite",
    "Helios",
    "Juniper",
    "Keystone",
    "Meridian",
]
ORG_WORDS_B = [
    "Analytics",
    "Logistics",
    "Health",
    "Retail",
    "Labs",
    "Foods",
    "Energy",
    "Media",
    "Finance",
    "Travel",
    "Robotics",
]

TIMEZONES = [
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "UTC",
]

ARTICLES = [
    (
        "Resetting your password",
        "Password reset",
        "Open the sign-in page, choose 'Forgot password', and enter your work e-mail. The link is valid for 30 minutes; request a new one if it expired. If no e-mail arrives within 5 minutes, check your spam folder and make sure your admin has not enforced SSO.",
    ),
    (
        "Unlocking a locked account",
        "Password reset",
        "After 5 failed attempts an account is locked for 15 minutes. Wait, then reset your password from the sign-in page. Admins can unlock users immediately under Settings → Users.",
    ),
    (
        "Exporting reports to PDF",
        "How-to question",
        "Open the report, click the ⋯ menu in the top right and choose 'Export → PDF'. Large reports are e-mailed to you when ready.",
    ),
    (
        "Changing notification settings",
        "How-to question",
        "Go to Profile → Notifications. You can turn each e-mail type on or off, or switch to a daily digest.",
    ),
    (
        "Sharing a dashboard",
        "How-to question",
        "Open the dashboard, click 'Share' and add colleagues by e-mail. Read-only seats can view shared dashboards but not edit them.",
    ),
]
