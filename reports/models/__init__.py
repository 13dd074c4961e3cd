from reports.models.jobs import ReportJob
from reports.models.satisfaction import (
    Question,
    Questionnaire,
    ReturnVisit,
    Survey,
    SurveyAnswer,
)

__all__ = ["Question", "Questionnaire", "ReportJob", "ReturnVisit", "Survey", "SurveyAnswer"]
