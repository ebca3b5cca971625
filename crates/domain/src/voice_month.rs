//! One service's people's and staff voice for one calendar month, as counts: enough
//! to recompute every voice indicator of monitoring without the answers themselves.

use serde::Serialize;

use crate::voice::{Channel, Overall, Respondent, ResponseFacts, StoryFacts};

/// The month's voice counts, enough to recompute every voice indicator without the answers.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, utoipa::ToSchema)]
pub struct VoiceMonth {
    /// Responses from people who use the service and those who speak for them.
    pub responses: u32,
    /// Of those, the overall answers "very good" or "good".
    pub positive: u32,
    /// Of those, every overall answer but "don't know": the denominator of % positive.
    pub rated: u32,
    /// Person-level outcome scores (0–3): how many, their sum and sum of squares.
    pub outcome_n: u32,
    pub outcome_sum: f64,
    pub outcome_sum_sq: f64,
    /// Their answers to "being treated with dignity and respect", and of those the ones
    /// "just as I want" or "good enough".
    pub dignity_n: u32,
    pub dignity_positive: u32,
    /// Their answers to "feeling safe", and of those the ones "just as I want" or "good enough".
    pub safe_n: u32,
    pub safe_positive: u32,
    /// Of their responses, those typed in by staff: from paper, or given with a helper.
    pub entered: u32,
    /// Ratings of progress on personal outcomes made this month that count (at most one
    /// per outcome in any 90 days), and of those the ones "better".
    pub progress_n: u32,
    pub progress_better: u32,
    pub stories: u32,
    /// Stories a moderator judged moderate or worse (criticality ≥ 3).
    pub critical_stories: u32,
    /// Staff answers to "I can speak up and I am listened to" (0–3): how many, sum, sum of squares.
    pub speak_up_n: u32,
    pub speak_up_sum: f64,
    pub speak_up_sum_sq: f64,
    /// Staff answers to "there are enough staff to give people safe care" (0–3), likewise.
    pub enough_staff_n: u32,
    pub enough_staff_sum: f64,
    pub enough_staff_sum_sq: f64,
    /// Responses from partners (professionals who work with the service), and of those
    /// the ones rating it poor or very poor overall: partners' concerns.
    pub partner_responses: u32,
    pub partner_concerns: u32,
}

/// The criticality from which a story counts as critical.
const CRITICAL: u8 = 3;

/// The answer level from which an outcome answer counts as positive: "good enough" (2)
/// or "just as I want" (3).
pub const POSITIVE_LEVEL: u8 = 2;

impl VoiceMonth {
    /// Counts one response.
    pub fn add_response(&mut self, response: &ResponseFacts) {
        match response.respondent {
            Respondent::Staff => self.add_staff(response),
            Respondent::Partner => {
                self.partner_responses += 1;
                self.partner_concerns += u32::from(matches!(response.overall, Overall::Poor | Overall::VeryPoor));
            }
            _ => self.add_person(response),
        }
    }

    fn add_person(&mut self, response: &ResponseFacts) {
        self.responses += 1;
        self.entered += u32::from(matches!(response.channel, Channel::Assisted | Channel::Paper));
        let answer = |code: &str| response.answers.iter().find(|&&(c, _)| c == code).and_then(|&(_, level)| level);
        if let Some(level) = answer("dignity") {
            self.dignity_n += 1;
            self.dignity_positive += u32::from(level >= POSITIVE_LEVEL);
        }
        if let Some(level) = answer("safe") {
            self.safe_n += 1;
            self.safe_positive += u32::from(level >= POSITIVE_LEVEL);
        }
        if let Some(positive) = response.overall.positive() {
            self.rated += 1;
            self.positive += u32::from(positive);
        }
        // The mean of the answered items, as `Feedback::outcome_score`: "doesn't apply" is not imputed.
        let levels: Vec<f64> = response.answers.iter().filter_map(|&(_, level)| level.map(f64::from)).collect();
        if !levels.is_empty() {
            let score = levels.iter().sum::<f64>() / levels.len() as f64;
            self.outcome_n += 1;
            self.outcome_sum += score;
            self.outcome_sum_sq += score * score;
        }
    }

    fn add_staff(&mut self, response: &ResponseFacts) {
        let answer = |code: &str| {
            response.answers.iter().find(|&&(c, _)| c == code).and_then(|&(_, level)| level).map(f64::from)
        };
        if let Some(level) = answer("speak_up") {
            self.speak_up_n += 1;
            self.speak_up_sum += level;
            self.speak_up_sum_sq += level * level;
        }
        if let Some(level) = answer("enough_staff") {
            self.enough_staff_n += 1;
            self.enough_staff_sum += level;
            self.enough_staff_sum_sq += level * level;
        }
    }

    /// Counts one rating of progress on a personal outcome that counts.
    pub fn add_progress(&mut self, better: bool) {
        self.progress_n += 1;
        self.progress_better += u32::from(better);
    }

    /// Counts one story; one not yet judged is counted but not as critical.
    pub fn add_story(&mut self, story: &StoryFacts) {
        self.stories += 1;
        let critical = story.criticality.is_some_and(|c| c.level() >= CRITICAL);
        self.critical_stories += u32::from(critical);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voice::{Channel, Criticality, Overall};
    use chrono::Utc;

    fn response(respondent: Respondent, overall: Overall, answers: Vec<(&'static str, Option<u8>)>) -> ResponseFacts {
        ResponseFacts { received_at: Utc::now(), respondent, channel: Channel::Online, overall, answers }
    }

    #[test]
    fn responses_are_tallied_by_who_gave_them() {
        let mut voice = VoiceMonth::default();
        voice.add_response(&response(Respondent::Family, Overall::Good, vec![("safe", Some(3)), ("choice", Some(1))]));
        voice.add_response(&response(Respondent::Person, Overall::DontKnow, vec![("safe", None)]));
        voice.add_response(&response(
            Respondent::Staff,
            Overall::Poor,
            vec![("speak_up", Some(1)), ("enough_staff", None)],
        ));
        voice.add_response(&response(Respondent::Staff, Overall::Good, vec![("enough_staff", Some(2))]));
        voice.add_response(&response(Respondent::Partner, Overall::Poor, vec![]));
        voice.add_response(&response(Respondent::Partner, Overall::Neither, vec![]));
        assert_eq!((voice.responses, voice.positive, voice.rated), (2, 1, 1));
        assert_eq!((voice.outcome_n, voice.outcome_sum, voice.outcome_sum_sq), (1, 2.0, 4.0));
        assert_eq!((voice.safe_n, voice.safe_positive), (1, 1), "\"doesn't apply\" is no answer");
        assert_eq!((voice.dignity_n, voice.entered), (0, 0));
        assert_eq!((voice.speak_up_n, voice.speak_up_sum), (1, 1.0));
        assert_eq!((voice.enough_staff_n, voice.enough_staff_sum, voice.enough_staff_sum_sq), (1, 2.0, 4.0));
        assert_eq!((voice.partner_responses, voice.partner_concerns), (2, 1), "neither good nor poor is no concern");
    }

    #[test]
    fn dignity_and_safety_are_positive_from_good_enough_and_typed_in_answers_are_counted() {
        let mut voice = VoiceMonth::default();
        for (level, channel) in [(3, Channel::Paper), (2, Channel::Assisted), (1, Channel::Online), (0, Channel::Api)] {
            let mut r =
                response(Respondent::Advocate, Overall::Good, vec![("dignity", Some(level)), ("safe", Some(level))]);
            r.channel = channel;
            voice.add_response(&r);
        }
        assert_eq!((voice.dignity_n, voice.dignity_positive, voice.safe_n, voice.safe_positive), (4, 2, 4, 2));
        assert_eq!(voice.entered, 2);
        voice.add_progress(true);
        voice.add_progress(false);
        assert_eq!((voice.progress_n, voice.progress_better), (2, 1));
    }

    #[test]
    fn stories_of_level_three_and_above_are_critical() {
        let mut voice = VoiceMonth::default();
        for level in [None, Some(2), Some(3), Some(5)] {
            let criticality = level.map(|l| Criticality::new(l).unwrap());
            let story = StoryFacts {
                received_at: Utc::now(),
                published: true,
                criticality,
                first_reply_at: None,
                change: None,
            };
            voice.add_story(&story);
        }
        assert_eq!((voice.stories, voice.critical_stories), (4, 2));
    }
}
