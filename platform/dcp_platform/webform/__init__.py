"""The web form runtime: renders a collection-year definition as GOV.UK pages."""
