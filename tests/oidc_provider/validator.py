from oauth2_provider.oauth2_validators import OAuth2Validator

# The claims this stand-in newsroom login gives each of its people.
PEOPLE = {
    "alice": {"name": "Alice Subscriber", "subscriber": True, "groups": []},
    "bob": {"name": "Bob Desk", "subscriber": False, "groups": ["newsroom-desk"]},
    "carol": {"name": "Carol Reader", "subscriber": False, "groups": []},
}


class NewsroomClaims(OAuth2Validator):
    oidc_claim_scope = None  # every claim, whatever scopes were asked

    def get_additional_claims(self, request):
        user = request.user
        person = PEOPLE.get(user.username, {})
        return {
            "email": user.email,
            "email_verified": True,
            "name": person.get("name", user.username),
            "preferred_username": user.username,
            "subscriber": person.get("subscriber", False),
            "groups": person.get("groups", []),
        }
