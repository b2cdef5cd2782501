from django.apps import AppConfig


class PlaybackConfig(AppConfig):
    name = "dcp_platform.playback"
    label = "playback"
    verbose_name = "Data playback: measures, dashboards and service measures"
