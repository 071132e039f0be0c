/** Twilio's REST API; TWILIO_API_BASE_URL replaces it (an egress proxy or a test server). */
export const TWILIO_API_BASE_URL = 'https://api.twilio.com';
