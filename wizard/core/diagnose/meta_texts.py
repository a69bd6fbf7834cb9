"""Meta's links and the Business Settings steps the fixes quote."""

from __future__ import annotations

SYSTEM_USERS_URL = "https://business.facebook.com/settings/system-users"
WHATSAPP_ACCOUNTS_URL = "https://business.facebook.com/settings/whatsapp-business-accounts"
API_SETUP_URL = "https://developers.facebook.com/apps"
PHONE_NUMBERS_URL = "https://business.facebook.com/wa/manage/phone-numbers/"

STEP_CREATE = f"Business Settings → Users → System Users → Add ({SYSTEM_USERS_URL})"
STEP_ASSIGN = (
    "Business Settings → Users → System Users → your system user → Assign Assets: your app, and "
    "your WhatsApp account with Full control"
)
STEP_GENERATE = (
    "Business Settings → Users → System Users → your system user → Generate New Token: your app, "
    "tick whatsapp_business_messaging and whatsapp_business_management, expiry Never"
)
SAVE_AND_RESTART = "then `wa-token save` it and restart your backend server"
STEP_GENERATE_EXPIRING = (
    "Business Settings → Users → System Users → your system user → Generate New Token: your "
    "app, tick whatsapp_business_messaging and whatsapp_business_management, expiry Never or "
    "60 days"
)
PERMANENT_ROUTE = (
    "run `wa-token setup` (it walks you through it), or by hand (Meta's guide, Method 1): "
    f"1) {STEP_CREATE}; 2) Assign Assets: your app, and your WhatsApp account with Full control; "
    "3) Generate New Token: your app, tick whatsapp_business_messaging and "
    f"whatsapp_business_management, expiry Never; {SAVE_AND_RESTART}"
)
