"""Smart City Platform: e-government and smart-city services for Vietnamese cities."""
