from reports.models.issued import IssuedReport
from reports.models.jobs import ReportJob
from reports.models.satisfaction import (
    Question,
    Questionnaire,
    ReturnVisit,
    Survey,
    SurveyAnswer,
)

__all__ = [
    "IssuedReport",
    "Question",
    "Questionnaire",
    "ReportJob",
    "ReturnVisit",
    "Survey",
    "SurveyAnswer",
]
