"""Spiders: one profile-driven class (`PortalSpider`), registered once per site profile."""
