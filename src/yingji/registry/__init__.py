"""Resource registries: divisions, units, contacts, facilities, teams, experts, vehicles."""
