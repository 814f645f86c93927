# Pages of the source interface. English is the source of truth.
# Keep sentences short and plain: readers may be frightened, tired, or
# reading in their second language.

site-name = Amanat
skip-to-content = Skip to the main content
language-menu = Language

## Home page
index-title = Report a reprisal safely
index-intro = This service lets you report threats, attacks or other reprisals against you or others for human rights work, including for contact with the United Nations.
index-encrypted = What you send is encrypted at once. Only a small team of trusted reviewers can read it. We do not record your address or your device.
index-safety-title = Stay safe
index-safety-tor = Use Tor Browser, and set its security level to "Safest". This site works fully without JavaScript.
index-safety-device = If someone may check your phone or computer, use a device they cannot reach, and close the browser when you finish.
index-safety-names = You do not have to give your name. You choose on the next page.
index-start = Start a report
index-followup = I already sent a report

## Step 1: anonymity
report-title = Your report
report-step1-intro = First, choose how we treat your identity. You can read each choice slowly.
report-continue = Continue
report-change-anonymity = Change this choice
report-chosen-anonymity = Your choice: { $choice }

## The form
report-intro = Questions marked "required" need an answer. Everything else is optional.
report-required = required
report-section-report = About what happened
report-section-identity = About you
report-section-identity-help = All optional. Only reviewers cleared to see identities can read this.
report-section-consent = What may we do with your report?
report-section-consent-help = Each answer is separate. If you say nothing, the answer is "no". You can change your mind later.
report-select-placeholder = Choose one
report-month-unknown = Month unknown
report-day-unknown = Day unknown
report-warning = Be careful
report-submit = Send the report securely
report-submit-help = Your report is encrypted before it is stored.
report-errors-title = Please check { $count ->
    [one] one answer
   *[other] { $count } answers
}
report-errors-intro = Nothing was sent yet. Your answers are kept below.

## Field errors
error-required = This question needs an answer.
error-invalid-choice = Please choose one of the options shown.
error-too-long = This answer is too long: at most { $max } characters.
error-invalid-year = Please give a year between { $min } and { $max }.
error-invalid-date = This date does not exist. Please check the day and the month.
error-day-without-month = Please give the month as well as the day.
error-identity-anonymous = You chose to stay anonymous, so we cannot accept a name or contact. Nothing was stored.
error-not-allowed = This answer is only possible with a different choice about your identity.
error-control-chars = This answer contains characters that cannot be stored. Please remove them.

## Confirmation
confirm-title = Your report was received
confirm-body = Your report is encrypted and stored. A reviewer will read it.
confirm-next = Close this browser window when you are done. If someone may check this device, clear the browsing history.

## Error pages
error-title = Something went wrong
error-back = Go back to the start
error-bad-request = The form could not be read: { $detail }. Nothing was stored. Please go back and try again.
error-bad-request-detail-encoding = the text was not in a readable format
error-bad-request-detail-form = the form data was incomplete or malformed
error-bad-request-detail-fields = the form had unexpected or repeated fields
error-csrf = This form has expired or was not sent from this site. Nothing was stored. Please open the form again; your answers were not kept, sorry.
error-not-found = This page does not exist.
error-too-large = What you sent is too large (the limit is { $limit }). Nothing was stored. Please shorten your text and try again.
error-too-many = Too many people are using this service right now. Nothing was stored. Please try again in a minute.
error-busy = The server is busy. Nothing was stored. Please try again in a minute.
error-stalled = What you sent stopped arriving before it was complete, so nothing was stored. Please check your connection and try again.
error-no-reviewers = This service cannot accept reports yet, because no reviewer has been set up to read them. Nothing was stored. Please try again later.
error-internal = The server had a problem and nothing was stored. Please try again later.
error-method = This address does not accept that kind of request.
error-identity-unavailable = No reviewer can read names and contacts yet, so we cannot accept them. Please leave this empty. Nothing was stored.

## Codename (confirmation page)
codename-title = Your codename
codename-intro = This codename is the only way to come back, read replies and add information. It is shown only once.
codename-advice-write = Write it on paper or learn it by heart. Keep it away from anyone who might search you.
codename-advice-device = Do not save it on a phone or computer that could be taken from you.
codename-advice-lost = Nobody can recover it, not even us. If you lose it, you can send a new report.
codename-followup = To come back later, choose "I already sent a report" on the first page.

## Follow-up
followup-title = Come back to your report
followup-intro = Enter your codename to read replies and add information.
followup-codename-label = Your codename
followup-codename-help = The words you were given, separated by spaces. Capital letters do not matter.
followup-login = Open my report
followup-check-words = We could not open a report with these words. Please check the words and their order, and try again.
followup-session-ended = Your session has ended, for your safety. Please enter your codename again.
followup-busy = The server is busy. Please try again in a minute.
followup-status-title = Status
followup-status-received = Received. A reviewer will read it.
followup-status-in_review = Being reviewed.
followup-status-closed = Closed.
followup-replies-title = Replies
followup-no-replies = No replies yet. Please come back later.
followup-reply-from = Reply received on { $day }
followup-delete-reply = Delete this reply
followup-deleted = The reply was deleted.
followup-message-title = Add information
followup-message-help = Your message is encrypted and added to your report. You will not be able to read it again here.
followup-message-send = Send securely
followup-message-sent = Your message was received.
followup-message-empty = Please write a message first.
followup-message-too-long = This message is too long: at most { $max } characters.
followup-logout = Close my report
followup-logged-out = Your report is closed on this device. Close the browser window too.

## Attachments
attachments-keep-label = Keep the original metadata. This can help prove a file is authentic, but it can also identify you.
attachments-limits = Up to { $count } files, { $size } each.
files-choose-again = Your files were not kept: please choose them again before sending.
confirm-files-title = Your files
file-result-cleaned = Removed: { $removed }.
file-result-nothing-found = Nothing identifying was found.
file-result-not-cleanable = This type of file cannot be cleaned; it was stored as sent.
file-result-kept-original = Stored as sent, as you asked.
removed-location = location
removed-camera = camera
removed-author = author
removed-software = software
removed-dates = dates
removed-comments = comments
removed-thumbnail = preview image
removed-identifiers = document identifiers
removed-other = other details
error-too-many-files = Too many files: you can send at most { $limit }. Nothing was stored.
error-file-too-large = The file { $name } is too large (the limit is { $limit }). Nothing was stored.
error-submission-too-large = The files together are too large (the limit is { $limit }). Nothing was stored.
error-file-cannot-clean = We could not remove identifying details from { $name }: the file may be damaged. Nothing was stored. You can send it again with "Keep the original metadata" ticked, or leave it out.
error-file-too-large-to-clean = The file { $name } is too large for us to clean (the limit for this type is { $limit }). Nothing was stored. You can send it again with "Keep the original metadata" ticked, or leave it out.
error-files-not-cleanable = We could not remove identifying details from: { $names }. Nothing was stored. Below, choose for each of these files whether to send it as it is or to leave it out.
files-refused-title = Files we could not clean
file-refused-type = identifying details (such as an author, a device or a place) cannot be removed from this type of file.
file-refused-damaged = this file seems damaged, so identifying details could not be removed from it.
files-refused-choices = To send such a file as it is, with everything it may contain about you, choose it again in the field below. To leave it out, do not choose it again.
attachments-as-is-label = Send as it is (original metadata kept)
attachments-as-is-help = Files chosen here are stored exactly as they are, with any names, dates, devices or places inside them. Choose here only a file named above that you want to send anyway.
files-leave-out-help = This button sends everything else, without the files named above.
files-leave-out = Leave it out and send
error-low-space = The server is short of disk space, so nothing was stored. What you wrote is still here: please try again later.
error-reviewers-changed = The people who read reports changed while your files were uploading, so nothing was stored. Please send again.
followup-withdraw-title = Withdraw your consent
followup-withdraw-help = Tick what you no longer agree to. Reviewers will respect it from now on.
followup-withdraw-submit = Withdraw my consent
followup-withdraw-done = Your withdrawal was recorded.
followup-withdraw-none = Please tick at least one item to withdraw.
